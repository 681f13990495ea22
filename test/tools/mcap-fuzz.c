// SPDX-License-Identifier: GPL-2.0
/*
 * mcap-fuzz.c - throw random and boundary arguments at every multicap ioctl
 *
 * Usage: mcap-fuzz [-s SEED] [-n COUNT] [-f FDS] [-W] [-v] [node...]
 *
 *   -s SEED   PRNG seed (default: time ^ pid); printed first, pass it back
 *             to replay a run (same nodes, same kernel, same count)
 *   -n COUNT  number of fuzzed calls (ioctl, read, poll, mmap, open ...),
 *             default 100000; env MCAP_FUZZ_COUNT when -n is not given
 *   -f FDS    file handles per node, default 3 (priority and ownership)
 *   -W        warnings are fatal (exit 1); the test suite always uses it
 *   -v        print every warning, not only the first 10 of each call
 *   -w SECS   watchdog: fail when no call returned for SECS (default 60)
 *   -x CALL   leave CALL (a name from the summary, e.g. S_PARM) out; to look
 *             past a known bug, never in the test suite
 *
 * Nodes: the ones given, else every multicap capture node.
 *
 * Every call of a node's V4L2 API is made with a mix of well-formed,
 * boundary (0, 1, max, -1, huge, misaligned) and random arguments, on
 * several non-blocking file handles per node that are closed and reopened
 * now and then; buffers are really allocated, queued, mapped, exported and
 * imported, and some streaming happens. Structures live in valid memory,
 * except for the "bad pointer" calls (NULL, kernel and unmapped addresses,
 * a structure that runs into a PROT_NONE page) which must fail with EFAULT
 * (or, when the part the V4L2 core copies in is readable, with an expected
 * errno of the handler's own: see core_copy_in() in mcap-fuzz-bad.c).
 * Ioctls the driver does not implement (selection, DBG_*, standards ...)
 * are tried too and must not succeed.
 *
 * Memory: MMAP buffers are capped at MMAP_BUDGET bytes per REQBUFS and
 * CREATE_BUFS (the count is clamped), so the fuzzer stresses the driver, not
 * the VM's page allocator; USERPTR and DMABUF queues allocate nothing and
 * take any size. The OOM killer is no part of the test.
 *
 * DBG_S_REGISTER: only ever writes back the value DBG_G_REGISTER just read
 * at the same address (plus calls that must fail: bad match types, another
 * chip), so a driver that implements it is exercised without changing the
 * card behind the later checks. (Debian's kernels lack VIDEO_ADV_DEBUG, so
 * today both are ENOTTY.)
 *
 * The calls are made by a child process; the parent is a watchdog: when the
 * child dies by a signal, or no call returns for the watchdog time (the
 * task oopsed in the kernel holding the node's lock and cannot exit), it
 * prints the last call with its argument bytes, the histogram so far, and
 * fails without touching the nodes again.
 *
 * At the end every queue is stopped and freed, every handle closed, and
 * each node is put back to the DV timings, format, frame interval and
 * controls it had at the start, through the API, which must work.
 *
 * Output: one "warning:" line per unexpected result (ENOTTY from an ioctl
 * the node implements, success where an error is required, an errno
 * outside the expected set, a TRY_FMT result the driver could not
 * deliver), then per call the number of calls and the result histogram.
 * Every warning is a wrong answer to the fuzzer's input, never noise: the
 * expected errnos include what the V4L2 core and vb2 answer for the
 * driver (EPIPE after vb2's "last buffer dequeued", see fz_node.vb2_last;
 * errors from a handler that ran on a partly readable bad pointer).
 * Exit: 0 done (1 with -W and warnings), 1 a node broke, 2 usage.
 *
 * Files: mcap-fuzz.c (options, memory, the call table and loop, restoring
 * the nodes, the watchdog), mcap-fuzz-rand.c (the PRNG and the values it
 * draws), mcap-fuzz-check.c (each call's result: errno policy, warnings,
 * histogram), mcap-fuzz-ioctl.c (the ioctls multicap implements, but for
 * the buffer queue), mcap-fuzz-queue.c (the buffer queue, streaming, read,
 * poll, mmap), mcap-fuzz-bad.c (calls that must not succeed: ioctls the
 * driver lacks, unknown numbers, bad pointers); mcap-fuzz.h holds what
 * they share.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/wait.h>

#include "mcap-fuzz.h"

struct fz_node nodes[MC_MAX_NODES];
int nnodes, nfds = 3;
int evfd = -1;

unsigned char *arena;		/* USERPTR memory + guard page */
unsigned char *rdonly;		/* read-only page */
unsigned char *guard;		/* 2 pages, the second PROT_NONE */
unsigned char *scratch;		/* random ioctl arguments */
unsigned char *readbuf;
struct v4l2_ext_control *ctrls;
long pagesz;

int node_broken;

static unsigned long long target;

/* ---- table ------------------------------------------------------------ */

#define OP(id, w, i, f) [id] = { .name = #id + 3, .weight = w, .impl = i, .fn = f }

struct fz_op ops[OP_NUM] = {
	OP(OP_QUERYCAP, 10, 1, op_querycap),
	OP(OP_ENUM_FMT, 20, 1, op_enum_fmt),
	OP(OP_G_FMT, 20, 1, op_g_fmt),
	OP(OP_S_FMT, 40, 1, op_s_fmt),
	OP(OP_TRY_FMT, 40, 1, op_try_fmt),
	OP(OP_REQBUFS, 40, 1, op_reqbufs),
	OP(OP_CREATE_BUFS, 30, 1, op_create_bufs),
	OP(OP_QUERYBUF, 40, 1, op_querybuf),
	OP(OP_PREPARE_BUF, 30, 1, op_prepare_buf),
	OP(OP_QBUF, 60, 1, op_qbuf),
	OP(OP_DQBUF, 40, 1, op_dqbuf),
	OP(OP_EXPBUF, 25, 1, op_expbuf),
	OP(OP_STREAMON, 25, 1, op_streamon),
	OP(OP_STREAMOFF, 20, 1, op_streamoff),
	OP(OP_G_PARM, 15, 1, op_g_parm),
	OP(OP_S_PARM, 25, 1, op_s_parm),
	OP(OP_ENUM_FRAMESIZES, 15, 1, op_enum_framesizes),
	OP(OP_ENUM_FRAMEINTERVALS, 20, 1, op_enum_frameintervals),
	OP(OP_ENUMINPUT, 15, 1, op_enuminput),
	OP(OP_G_INPUT, 10, 1, op_g_input),
	OP(OP_S_INPUT, 15, 1, op_s_input),
	OP(OP_G_DV_TIMINGS, 15, 1, op_g_dv_timings),
	OP(OP_S_DV_TIMINGS, 25, 1, op_s_dv_timings),
	OP(OP_QUERY_DV_TIMINGS, 15, 1, op_query_dv_timings),
	OP(OP_ENUM_DV_TIMINGS, 20, 1, op_enum_dv_timings),
	OP(OP_DV_TIMINGS_CAP, 10, 1, op_dv_timings_cap),
	OP(OP_G_EXT_CTRLS, 30, 1, op_g_ext_ctrls),
	OP(OP_S_EXT_CTRLS, 30, 1, op_s_ext_ctrls),
	OP(OP_TRY_EXT_CTRLS, 30, 1, op_try_ext_ctrls),
	OP(OP_QUERYCTRL, 25, 1, op_queryctrl),
	OP(OP_QUERY_EXT_CTRL, 25, 1, op_query_ext_ctrl),
	OP(OP_QUERYMENU, 20, 1, op_querymenu),
	OP(OP_G_CTRL, 20, 1, op_g_ctrl),
	OP(OP_S_CTRL, 25, 1, op_s_ctrl),
	OP(OP_SUBSCRIBE_EVENT, 25, 1, op_subscribe),
	OP(OP_UNSUBSCRIBE_EVENT, 20, 1, op_unsubscribe),
	OP(OP_DQEVENT, 25, 1, op_dqevent),
	OP(OP_G_PRIORITY, 10, 1, op_g_priority),
	OP(OP_S_PRIORITY, 20, 1, op_s_priority),
	OP(OP_LOG_STATUS, 1, 1, op_log_status),
	OP(OP_G_SELECTION, 5, 0, op_g_selection),
	OP(OP_S_SELECTION, 5, 0, op_s_selection),
	OP(OP_DBG_G_REGISTER, 3, 0, op_dbg_g_register),
	OP(OP_DBG_S_REGISTER, 3, 0, op_dbg_s_register),
	OP(OP_DBG_G_CHIP_INFO, 3, 0, op_dbg_g_chip_info),
	OP(OP_UNIMPL, 10, 0, op_unimpl),
	OP(OP_RANDOM, 20, 0, op_random),
	OP(OP_BADPTR, 15, 0, op_badptr),
	OP(OP_READ, 15, 0, op_read),
	OP(OP_POLL, 20, 0, op_poll),
	OP(OP_MMAP, 25, 0, op_mmap),
	OP(OP_MUNMAP, 8, 0, op_munmap),
	OP(OP_REOPEN, 4, 0, op_reopen),
	OP(OP_STREAM, 2, 0, op_stream),
};

/* ---- setup, restore --------------------------------------------------- */

int node_open(struct fz_node *n)
{
	return open(n->path, O_RDWR | O_NONBLOCK | O_CLOEXEC);
}

static int node_setup(struct fz_node *n, int fd)
{
	struct v4l2_streamparm p = { .type = CAP };
	struct v4l2_control c = { .id = V4L2_CID_TEST_PATTERN };
	struct v4l2_control r = { .id = V4L2_CID_DV_RX_RGB_RANGE };
	int i;

	refresh_fmt(n, fd);
	n->home_pix = n->pix;
	if (ioctl(fd, VIDIOC_G_DV_TIMINGS, &n->home) ||
	    ioctl(fd, VIDIOC_G_PARM, &p) || ioctl(fd, VIDIOC_G_CTRL, &c) ||
	    ioctl(fd, VIDIOC_G_CTRL, &r)) {
		printf("FAIL: %s: reading the initial state: %m\n", n->path);
		return -1;
	}
	n->home_tpf = p.parm.capture.timeperframe;
	n->home_tpg = c.value;
	n->home_range = r.value;
	for (i = 0; i < nfds; i++) {
		n->fd[i] = node_open(n);
		if (n->fd[i] < 0) {
			printf("FAIL: %s: open: %m\n", n->path);
			return -1;
		}
	}
	return 0;
}

/* stop and free every queue, close every handle, restore the node */
static int node_restore(struct fz_node *n)
{
	struct v4l2_requestbuffers rb = { .type = CAP };
	struct v4l2_streamparm p = { .type = CAP };
	struct v4l2_control c = { .id = V4L2_CID_TEST_PATTERN };
	struct v4l2_control r = { .id = V4L2_CID_DV_RX_RGB_RANGE };
	struct v4l2_format f = { .type = CAP };
	struct v4l2_dv_timings t = n->home;
	int type = CAP, fd, i, ret = 0;

	for (i = 0; i < nfds; i++) {
		ioctl(n->fd[i], VIDIOC_STREAMOFF, &type);
		for (rb.memory = V4L2_MEMORY_MMAP; rb.memory <= V4L2_MEMORY_DMABUF; rb.memory++) {
			rb.count = 0;
			ioctl(n->fd[i], VIDIOC_REQBUFS, &rb);
		}
		close(n->fd[i]);
	}
	fd = node_open(n);
	if (fd < 0) {
		printf("FAIL: %s: open after fuzzing: %m\n", n->path);
		return -1;
	}
	f.fmt.pix = n->home_pix;
	p.parm.capture.timeperframe = n->home_tpf;
	c.value = n->home_tpg;
	r.value = n->home_range;
	if (ioctl(fd, VIDIOC_S_DV_TIMINGS, &t) || ioctl(fd, VIDIOC_S_FMT, &f) ||
	    ioctl(fd, VIDIOC_S_PARM, &p) || ioctl(fd, VIDIOC_S_CTRL, &c) ||
	    ioctl(fd, VIDIOC_S_CTRL, &r)) {
		printf("FAIL: %s: restoring the initial state: %m\n", n->path);
		ret = -1;
	}
	refresh_fmt(n, fd);
	memset(&p.parm, 0, sizeof(p.parm));
	if (!ret && (ioctl(fd, VIDIOC_G_PARM, &p) ||
		     memcmp(&n->pix, &n->home_pix, sizeof(n->pix)) ||
		     p.parm.capture.timeperframe.numerator != n->home_tpf.numerator ||
		     p.parm.capture.timeperframe.denominator != n->home_tpf.denominator)) {
		printf("FAIL: %s: state after restore differs: %ux%u %.4s bpl %u, %u/%u\n",
		       n->path, n->pix.width, n->pix.height, (char *)&n->pix.pixelformat,
		       n->pix.bytesperline, p.parm.capture.timeperframe.numerator,
		       p.parm.capture.timeperframe.denominator);
		ret = -1;
	}
	close(fd);
	return ret;
}

/* ---- memory, options, the loop, the watchdog -------------------------- */

static void *map_or_die(size_t len, int prot)
{
	void *p = mmap(NULL, len, prot, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED) {
		perror("mmap");
		exit(MC_EXIT_FAIL);
	}
	return p;
}

/*
 * A page nothing can reach, not even the kernel pinning USERPTR memory: up
 * to 6.1, get_vaddr_frames() pins with FOLL_FORCE, which goes through a
 * private PROT_NONE page (copy-on-write) and on into the next mapping, so
 * a USERPTR buffer running off the arena once let the card write frames
 * into the counters shared with the watchdog. FOLL_FORCE cannot write a
 * shared mapping without PROT_WRITE.
 */
static void guard_page(void *addr)
{
	if (mmap(addr, pagesz, PROT_NONE, MAP_SHARED | MAP_ANONYMOUS | MAP_FIXED,
		 -1, 0) == MAP_FAILED) {
		perror("mmap guard");
		exit(MC_EXIT_FAIL);
	}
}

static void usage(const char *argv0)
{
	fprintf(stderr, "usage: %s [-s SEED] [-n COUNT] [-f FDS] [-W] [-v] "
		"[-w SECS] [-x CALL]... [node...]\n", argv0);
	exit(2);
}

static int fuzz(unsigned long long seed, int werror)
{
	unsigned long long step, next;
	unsigned int total_w = 0, w;
	int i, op, ret = MC_EXIT_PASS;
	long long t0;

	for (op = 0; op < OP_NUM; op++)
		total_w += ops[op].weight;
	rnd_seed(seed);
	t0 = mc_now_us();
	step = target / 10 ? target / 10 : 1;
	next = step;
	while (sh->calls < target && !node_broken) {
		struct fz_node *n = &nodes[rnd(nnodes)];
		int *fd = &n->fd[rnd(nfds)];

		w = rnd(total_w);
		for (op = 0; w >= ops[op].weight; op++)
			w -= ops[op].weight;
		ops[op].fn(n, fd);
		if (sh->calls >= next) {
			printf("  %llu calls, %.1f s\n", sh->calls,
			       (mc_now_us() - t0) / 1e6);
			next += step;
		}
	}
	printf("mcap-fuzz: %llu calls in %.1f s, %llu warnings\n", sh->calls,
	       (mc_now_us() - t0) / 1e6, sh->warnings);
	report();

	keep_release();
	for (i = 0; i < nnodes; i++)
		if (node_restore(&nodes[i]))
			node_broken = 1;
	if (node_broken)
		ret = MC_EXIT_FAIL;
	else if (werror && sh->warnings) {
		printf("FAIL: %llu warnings with -W: results the driver must "
		       "not give (the warning lines above)\n", sh->warnings);
		ret = MC_EXIT_FAIL;
	}
	printf("mcap-fuzz: %s\n", ret ? "FAIL" : "done, every node restored");
	return ret;
}

/*
 * The fuzzing runs in a child. A task that dies in the kernel (oops) while
 * holding the node's lock never finishes exiting; the parent notices that
 * the calls stopped, reports the last one and exits, so the test goes on.
 */
static int watch(pid_t pid, unsigned int timeout)
{
	unsigned long long last = ~0ULL;
	unsigned int still = 0;
	int st, i, j;

	for (i = 0; i < nnodes; i++)
		for (j = 0; j < nfds; j++)
			close(nodes[i].fd[j]);
	for (;;) {
		if (waitpid(pid, &st, WNOHANG) == pid)
			break;
		usleep(200000);
		if (sh->calls != last) {
			last = sh->calls;
			still = 0;
			continue;
		}
		if (++still < timeout * 5)
			continue;
		printf("FAIL: no call returned for %u s after %llu calls: "
		       "the fuzzer is stuck in the kernel (see the kernel log)\n",
		       timeout, sh->calls);
		print_last();
		report();
		return MC_EXIT_FAIL;
	}
	if (WIFEXITED(st))
		return WEXITSTATUS(st);
	printf("FAIL: fuzzer killed by signal %d after %llu calls\n",
	       WTERMSIG(st), sh->calls);
	print_last();
	report();
	return MC_EXIT_FAIL;
}

struct fz_opts {
	unsigned long long seed;
	unsigned int timeout;		/* the watchdog's, seconds */
	int werror;
};

/* the options, into @o and the globals; a bad one exits 2 */
static void parse_args(int argc, char **argv, struct fz_opts *o)
{
	int opt, op;
	char *env;

	o->seed = (unsigned long long)time(NULL) ^ ((unsigned long long)getpid() << 32);
	o->timeout = 60;
	o->werror = 0;
	target = 100000;
	env = getenv("MCAP_FUZZ_COUNT");
	if (env && *env)
		target = strtoull(env, NULL, 0);
	while ((opt = getopt(argc, argv, "s:n:f:Wvw:x:")) != -1) {
		switch (opt) {
		case 'w': o->timeout = atoi(optarg); break;
		case 'x':
			for (op = 0; op < OP_NUM; op++)
				if (!strcasecmp(optarg, ops[op].name))
					break;
			if (op == OP_NUM)
				usage(argv[0]);
			ops[op].weight = 0;
			break;
		case 's': o->seed = strtoull(optarg, NULL, 0); break;
		case 'n': target = strtoull(optarg, NULL, 0); break;
		case 'f': nfds = atoi(optarg); break;
		case 'W': o->werror = 1; break;
		case 'v': verbose = 1; break;
		default: usage(argv[0]);
		}
	}
	if (nfds < 1 || nfds > MAX_FDS || !o->timeout)
		usage(argv[0]);
}

/* the counters shared with the watchdog, and the memory the calls use */
static int map_memory(void)
{
	pagesz = sysconf(_SC_PAGESIZE);
	sh = mmap(NULL, sizeof(*sh), PROT_READ | PROT_WRITE,
		  MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (sh == MAP_FAILED) {
		perror("mmap");
		return -1;
	}
	arena = map_or_die(ARENA_SIZE + pagesz, PROT_READ | PROT_WRITE);
	guard_page(arena + ARENA_SIZE);
	rdonly = map_or_die(pagesz * 5, PROT_READ);
	guard_page(rdonly + pagesz * 4);
	guard = map_or_die(pagesz * 2, PROT_READ | PROT_WRITE);
	guard_page(guard + pagesz);
	scratch = map_or_die(SCRATCH_SIZE, PROT_READ | PROT_WRITE);
	readbuf = map_or_die(READ_MAX, PROT_READ | PROT_WRITE);
	ctrls = map_or_die(NCTRLS * sizeof(*ctrls), PROT_READ | PROT_WRITE);
	evfd = eventfd(0, EFD_CLOEXEC);
	keep_init();
	return 0;
}

/* what this run is, and how to replay it */
static void print_start(unsigned long long seed)
{
	int i, op;

	printf("mcap-fuzz: seed 0x%llx, %llu calls, %d nodes, %d handles each\n",
	       seed, target, nnodes, nfds);
	printf("replay: mcap-fuzz -s 0x%llx -n %llu -f %d", seed, target, nfds);
	for (i = 0; i < nnodes; i++)
		printf(" %s", nodes[i].path);
	printf("\n");
	for (op = 0; op < OP_NUM; op++)
		if (!ops[op].weight)
			printf("left out: %s\n", ops[op].name);
	fflush(stdout);
}

int main(int argc, char **argv)
{
	struct mc_node found[MC_MAX_NODES];
	struct fz_opts o;
	pid_t pid;
	int i;

	parse_args(argc, argv, &o);
	setvbuf(stdout, NULL, _IOLBF, 0);
	signal(SIGPIPE, SIG_IGN);

	nnodes = mc_nodes_find(found, MC_MAX_NODES, argv + optind, argc - optind);
	if (nnodes <= 0) {
		printf("SKIP: no multicap nodes\n");
		return nnodes < 0 ? MC_EXIT_FAIL : MC_EXIT_SKIP;
	}
	if (map_memory())
		return MC_EXIT_FAIL;

	for (i = 0; i < nnodes; i++) {
		memcpy(nodes[i].path, found[i].path, sizeof(nodes[i].path));
		if (node_setup(&nodes[i], found[i].fd))
			return MC_EXIT_FAIL;
		mc_node_close(&found[i]);
	}
	print_start(o.seed);
	pid = fork();
	if (pid < 0) {
		perror("fork");
		return MC_EXIT_FAIL;
	}
	if (!pid)
		_exit(fuzz(o.seed, o.werror));
	return watch(pid, o.timeout);
}
