-- 010_interventions: placeholder, filled in by the issue that owns it.
DO 0;
