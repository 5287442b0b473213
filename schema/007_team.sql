-- 007_team: placeholder, filled in by the issue that owns it.
DO 0;
