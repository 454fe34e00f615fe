"""One executor per task kind: translate a stored task (params + materialised input files) into an engine
call and name the files it produced. The job runner stores those files and builds ``task_result``."""
