/*
 * hello.c — the benchmark's ceiling: the smallest FastCGI program, behind
 * the same lighttpd, answering a fixed JSON body.
 */
#include <fcgiapp.h>

int
main(void)
{
	FCGX_Request r;

	if (FCGX_Init() != 0 || FCGX_InitRequest(&r, 0, 0) != 0)
		return 1;
	while (FCGX_Accept_r(&r) >= 0) {
		FCGX_FPrintF(r.out, "Status: 200 OK\r\nContent-Type: application/json\r\n"
		    "Content-Length: 17\r\n\r\n{\"hello\":\"world\"}");
		FCGX_Finish_r(&r);
	}
	return 0;
}
