/*
 * receiver_client.c — starts retivo-receiver as a child process, learns
 * its port from the first line it prints ("port N"), and speaks its
 * /_control/ protocol with libcurl. See receiver_client.h.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#ifdef __linux__
#include <sys/prctl.h>
#endif

#include <curl/curl.h>

#include "receiver_client.h"

static pid_t recv_pid = -1;
static int recv_port = -1;
static CURL *recv_curl;

/* The receiver binary: RETIVO_RECEIVER, else next to the admin's build. */
static int
receiver_path(char *out, size_t len)
{
	const char *env = getenv("RETIVO_RECEIVER"), *admin = getenv("RETIVO_ADMIN");
	char *slash;
	int n;

	if (env != NULL && env[0] != '\0')
		n = snprintf(out, len, "%s", env);
	else if (admin != NULL)
		n = snprintf(out, len, "%s", admin);
	else
		return -1;
	if (n < 0 || (size_t)n >= len)
		return -1;
	if (env != NULL && env[0] != '\0')
		return 0;
	/* RETIVO_ADMIN is BUILD/jobs/retivo-admin. */
	if ((slash = strrchr(out, '/')) == NULL)
		return -1;
	*slash = '\0';
	if ((slash = strrchr(out, '/')) == NULL)
		return -1;
	*slash = '\0';
	n = snprintf(out + strlen(out), len - strlen(out), "/tests/api/retivo-receiver");
	return n < 0 || (size_t)n >= len - strlen(out) ? -1 : 0;
}

/* Reads the "port N" line from fd within 10 s; the port or -1. */
static int
read_port(int fd)
{
	char line[64];
	size_t n = 0;
	struct pollfd p = { .fd = fd, .events = POLLIN };
	ssize_t got;
	int port;

	while (n < sizeof(line) - 1) {
		if (poll(&p, 1, 10000) <= 0)
			return -1;
		if ((got = read(fd, line + n, 1)) <= 0) {
			if (got < 0 && errno == EINTR)
				continue;
			return -1;
		}
		if (line[n] == '\n')
			break;
		n++;
	}
	line[n] = '\0';
	if (sscanf(line, "port %d", &port) != 1 || port <= 0 || port > 65535)
		return -1;
	return port;
}

int
receiver_start(void)
{
	static int registered;
	char path[PATH_MAX];
	int fds[2];
	pid_t pid;

	if (recv_pid > 0)
		return recv_port;
	if (receiver_path(path, sizeof(path)) != 0) {
		fprintf(stderr, "receiver: set RETIVO_RECEIVER (or RETIVO_ADMIN)\n");
		return -1;
	}
	if (pipe(fds) != 0) {
		perror("receiver: pipe");
		return -1;
	}
	fflush(NULL);
	if ((pid = fork()) < 0) {
		perror("receiver: fork");
		close(fds[0]);
		close(fds[1]);
		return -1;
	}
	if (pid == 0) {
#ifdef __linux__
		prctl(PR_SET_PDEATHSIG, SIGTERM);
#endif
		close(fds[0]);
		if (dup2(fds[1], STDOUT_FILENO) < 0)
			_exit(127);
		close(fds[1]);
		execl(path, path, "--port", "0", (char *)NULL);
		fprintf(stderr, "receiver: cannot run %s: %s\n", path, strerror(errno));
		_exit(127);
	}
	close(fds[1]);
	recv_pid = pid;
	recv_port = read_port(fds[0]);
	close(fds[0]);
	if (recv_port < 0) {
		fprintf(stderr, "receiver: %s did not report its port\n", path);
		receiver_stop();
		return -1;
	}
	if (!registered) {
		atexit(receiver_stop);
		registered = 1;
	}
	return recv_port;
}

void
receiver_stop(void)
{
	struct timespec tick = { 0, 10 * 1000 * 1000 };
	int status, i;

	if (recv_pid > 0) {
		kill(recv_pid, SIGTERM);
		for (i = 0; i < 500; i++) {
			if (waitpid(recv_pid, &status, WNOHANG) != 0)
				break;
			nanosleep(&tick, NULL);
		}
		if (i == 500) {
			kill(recv_pid, SIGKILL);
			waitpid(recv_pid, &status, 0);
		}
	}
	recv_pid = -1;
	recv_port = -1;
	if (recv_curl != NULL) {
		curl_easy_cleanup(recv_curl);
		recv_curl = NULL;
	}
}

int
receiver_port(void)
{
	return recv_port;
}

const char *
receiver_url(const char *path)
{
	static char url[2200];

	if (path == NULL)
		path = "";
	snprintf(url, sizeof(url), "http://127.0.0.1:%d%s%s", recv_port,
	    path[0] == '/' || path[0] == '\0' ? "" : "/", path);
	return url;
}

struct sink {
	char	*p;
	size_t	 len;
};

static size_t
sink_write(char *data, size_t size, size_t n, void *arg)
{
	struct sink *s = arg;
	char *np;

	if ((np = realloc(s->p, s->len + size * n + 1)) == NULL)
		return 0;
	s->p = np;
	memcpy(s->p + s->len, data, size * n);
	s->len += size * n;
	s->p[s->len] = '\0';
	return size * n;
}

/*
 * One control call; body NULL means GET. Returns the response body
 * (malloc'd, caller frees) when the receiver answered 200, else NULL.
 */
static char *
control(const char *path, const char *body)
{
	struct curl_slist *h = NULL;
	struct sink s = { NULL, 0 };
	long status = 0;
	CURLcode cc;

	if (recv_pid <= 0) {
		fprintf(stderr, "receiver: not started\n");
		return NULL;
	}
	if (recv_curl == NULL && (recv_curl = curl_easy_init()) == NULL)
		return NULL;
	curl_easy_reset(recv_curl);
	curl_easy_setopt(recv_curl, CURLOPT_URL, receiver_url(path));
	curl_easy_setopt(recv_curl, CURLOPT_WRITEFUNCTION, sink_write);
	curl_easy_setopt(recv_curl, CURLOPT_WRITEDATA, &s);
	curl_easy_setopt(recv_curl, CURLOPT_TIMEOUT, 30L);
	curl_easy_setopt(recv_curl, CURLOPT_NOPROXY, "*");
	if (body != NULL) {
		h = curl_slist_append(h, "Content-Type: application/json");
		curl_easy_setopt(recv_curl, CURLOPT_HTTPHEADER, h);
		curl_easy_setopt(recv_curl, CURLOPT_POSTFIELDS, body);
	}
	cc = curl_easy_perform(recv_curl);
	if (cc == CURLE_OK)
		curl_easy_getinfo(recv_curl, CURLINFO_RESPONSE_CODE, &status);
	curl_slist_free_all(h);
	if (cc != CURLE_OK || status != 200) {
		fprintf(stderr, "receiver: %s: %s %s\n", path,
		    cc != CURLE_OK ? curl_easy_strerror(cc) : "status",
		    s.p != NULL ? s.p : "");
		free(s.p);
		return NULL;
	}
	if (s.p == NULL)
		s.p = strdup("");
	return s.p;
}

/* A control call whose answer is not needed. */
static int
control_ok(const char *path, const char *body)
{
	char *answer = control(path, body);

	free(answer);
	return answer != NULL ? 0 : -1;
}

int
receiver_reset(void)
{
	return control_ok("/_control/reset", "{}");
}

int
receiver_secret(const char *path, const char *secret)
{
	struct json_object *o = json_object_new_object();
	int rc;

	json_object_object_add(o, "path", json_object_new_string(path != NULL ? path : ""));
	json_object_object_add(o, "secret", secret != NULL ? json_object_new_string(secret) : NULL);
	rc = control_ok("/_control/secret", json_object_to_json_string(o));
	json_object_put(o);
	return rc;
}

int
receiver_script(const char *path, const char *responses_json)
{
	struct json_object *p;
	char *body;
	size_t len;
	int rc;

	if (path == NULL || responses_json == NULL)
		return -1;
	p = json_object_new_string(path);
	len = strlen(json_object_to_json_string(p)) + strlen(responses_json) + 32;
	if ((body = malloc(len)) == NULL) {
		json_object_put(p);
		return -1;
	}
	snprintf(body, len, "{\"path\":%s,\"responses\":%s}", json_object_to_json_string(p),
	    responses_json);
	rc = control_ok("/_control/script", body);
	free(body);
	json_object_put(p);
	return rc;
}

struct json_object *
receiver_log(const char *path)
{
	struct json_object *root, *a = NULL;
	char url[2200], *esc = NULL, *answer;

	if (path != NULL) {
		if (recv_curl == NULL && (recv_curl = curl_easy_init()) == NULL)
			return NULL;
		if ((esc = curl_easy_escape(recv_curl, path, 0)) == NULL)
			return NULL;
		snprintf(url, sizeof(url), "/_control/log?path=%s", esc);
		curl_free(esc);
	} else
		snprintf(url, sizeof(url), "/_control/log");
	if ((answer = control(url, NULL)) == NULL)
		return NULL;
	if ((root = json_tokener_parse(answer)) != NULL &&
	    json_object_object_get_ex(root, "requests", &a) &&
	    json_object_is_type(a, json_type_array))
		json_object_get(a);
	else
		a = NULL;
	json_object_put(root);
	free(answer);
	return a;
}

int
receiver_count(const char *path)
{
	struct json_object *log = receiver_log(path);
	int n = log != NULL ? (int)json_object_array_length(log) : -1;

	json_object_put(log);
	return n;
}
