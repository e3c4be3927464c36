#include "pool.h"

#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "../core/log.h"
#include "../core/metrics.h"

#define POOL_MAX_WORKERS 256
#define POOL_DRAIN_SECONDS 20

static volatile sig_atomic_t stop_requested;

static void on_stop(int sig)
{
	(void)sig;
	stop_requested = 1;
}

static void on_child(int sig)
{
	(void)sig; /* only wakes sigsuspend */
}

static pid_t spawn(int listen_fd, int (*worker)(int), int slot)
{
	pid_t pid = fork();

	if (pid == 0) {
		sigset_t none;

		metrics_worker_slot(slot);
		signal(SIGCHLD, SIG_DFL);
		sigemptyset(&none);
		sigprocmask(SIG_SETMASK, &none, NULL);
		_exit(worker(listen_fd));
	}
	if (pid < 0)
		log_error("fork: %s", strerror(errno));
	return pid;
}

static int live_count(const pid_t *pids, int n)
{
	int i, live = 0;

	for (i = 0; i < n; i++)
		live += pids[i] > 0;
	return live;
}

static void forget(pid_t *pids, int n, pid_t pid)
{
	int i;

	for (i = 0; i < n; i++)
		if (pids[i] == pid)
			pids[i] = 0;
}

/* Repeats SIGTERM each second: a worker between unblocking and accept needs a second one. */
static void drain(pid_t *pids, int n)
{
	time_t deadline = time(NULL) + POOL_DRAIN_SECONDS;
	int i, status;

	while (live_count(pids, n) && time(NULL) < deadline) {
		pid_t pid;

		for (i = 0; i < n; i++)
			if (pids[i] > 0)
				kill(pids[i], SIGTERM);
		sleep(1);
		while ((pid = waitpid(-1, &status, WNOHANG)) > 0)
			forget(pids, n, pid);
	}
	for (i = 0; i < n; i++) {
		if (pids[i] > 0) {
			log_error("worker %d did not drain in time; killing it", (int)pids[i]);
			kill(pids[i], SIGKILL);
			waitpid(pids[i], &status, 0);
		}
	}
}

static void reap(pid_t *pids, int n)
{
	int status;
	pid_t pid;

	while ((pid = waitpid(-1, &status, WNOHANG)) > 0) {
		/*
		 * One line per death, always in this form: scripts/test.sh fails a
		 * run on any "worker died: pid N" no test caused on purpose.
		 */
		if (!stop_requested && WIFSIGNALED(status))
			log_error("worker died: pid %d, killed by signal %d (%s); restarting it",
				  (int)pid, WTERMSIG(status), strsignal(WTERMSIG(status)));
		else if (!stop_requested)
			log_error("worker died: pid %d, exit status %d; restarting it", (int)pid,
				  WEXITSTATUS(status));
		forget(pids, n, pid);
	}
}

int pool_run(int listen_fd, int n_workers, int (*worker)(int))
{
	pid_t pids[POOL_MAX_WORKERS] = {0};
	time_t started[POOL_MAX_WORKERS] = {0};
	struct sigaction sa;
	sigset_t watched, none;
	int i;

	if (n_workers > POOL_MAX_WORKERS)
		n_workers = POOL_MAX_WORKERS;
	/*
	 * The signals stay blocked except inside sigsuspend, so a stop or a
	 * death can never slip in between the check and the wait.
	 */
	sigemptyset(&watched);
	sigaddset(&watched, SIGTERM);
	sigaddset(&watched, SIGINT);
	sigaddset(&watched, SIGCHLD);
	sigemptyset(&none);
	sigprocmask(SIG_BLOCK, &watched, NULL);
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_stop;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sa.sa_handler = on_child;
	sigaction(SIGCHLD, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	metrics_set_pool_size(n_workers);

	while (!stop_requested) {
		for (i = 0; i < n_workers && !stop_requested; i++) {
			if (pids[i] > 0)
				continue;
			/* A worker dying at once again and again must not become a fork loop. */
			if (started[i] && time(NULL) - started[i] < 1)
				sleep(1);
			if (started[i])
				metrics_worker_restarted();
			started[i] = time(NULL);
			pids[i] = spawn(listen_fd, worker, i);
		}
		if (!stop_requested)
			sigsuspend(&none);
		reap(pids, n_workers);
	}
	log_info("draining %d workers", live_count(pids, n_workers));
	sigprocmask(SIG_SETMASK, &none, NULL);
	drain(pids, n_workers);
	return 0;
}
