/* One log line per event on stderr, tagged with the request id when there is one. */
#ifndef CANSD_LOG_H
#define CANSD_LOG_H

void log_msg(const char *level, const char *request_id, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

#define log_info(...) log_msg("info", NULL, __VA_ARGS__)
#define log_error(...) log_msg("error", NULL, __VA_ARGS__)

#endif
