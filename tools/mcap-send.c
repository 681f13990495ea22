// SPDX-License-Identifier: GPL-2.0
/*
 * mcap-send.c - stream multicap channels to the network straight from the
 *               capture buffers, with MSG_ZEROCOPY
 *
 * Usage: mcap-send (--rtp HOST:PORT | --tcp HOST:PORT | --tcp-listen
 *                  [ADDR:]PORT) [-n FRAMES] [-d SECONDS] [-f FMT]
 *                  [-t PATTERN] [-b NBUFS] [-i mmap|userptr] [--mtu BYTES]
 *                  [--rate MBPS] [--sdp FILE] [--copy] [node...]
 *
 * Streams 1 to 16 channels (default: every multicap node), node N (0 is
 * the first) to:
 *   --rtp         RTP uncompressed video (RFC 4175) over UDP to PORT + 2N
 *                 (PORT + 2N + 1 is left for RTCP, as RTP receivers expect);
 *   --tcp         raw frames over TCP, sizeimage bytes each, back to back,
 *                 to a server at PORT + N;
 *   --tcp-listen  the same, serving the first client to connect to
 *                 PORT + N (e.g. GStreamer's tcpclientsrc).
 *
 * The payload of every packet and every TCP send points into the capture
 * buffer: sendmsg() with MSG_ZEROCOPY pins those pages, and the buffer goes
 * back to the driver (VIDIOC_QBUF) only once the socket's error queue has
 * reported every send of it complete (SO_EE_ORIGIN_ZEROCOPY); completions
 * that fell back to copying (SO_EE_CODE_ZEROCOPY_COPIED) are counted.
 * RTP packets all have the same size: 20 bytes of headers (RTP, extended
 * sequence number, one line header) and one segment of one line, so UDP GSO
 * (UDP_SEGMENT) sends up to 64 of them per sendmsg(), their iovec
 * alternating header and payload slice. Each socket is paced with
 * SO_MAX_PACING_RATE (the fq qdisc enforces it for UDP). --copy sends the
 * same bytes without MSG_ZEROCOPY, the baseline. Documentation:
 * Documentation/admin-guide/media/multicap.rst, "Streaming to the network".
 *
 * Only libc and the kernel's uapi headers, plus mcap-v4l2.c.
 * Exit: 0 when every channel sent its frames (or was stopped by -d or
 * SIGINT), 1 on an error, 2 on bad arguments.
 */
#define _GNU_SOURCE
#include <endian.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <netdb.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <linux/errqueue.h>

#include "mcap-v4l2.h"

#ifndef SO_ZEROCOPY
#define SO_ZEROCOPY	60
#endif
#ifndef MSG_ZEROCOPY
#define MSG_ZEROCOPY	0x4000000
#endif
#ifndef SOL_UDP
#define SOL_UDP		17
#endif
#ifndef UDP_SEGMENT
#define UDP_SEGMENT	103
#endif

#define PROG		"mcap-send"
#define MAX_CH		16
#define RTP_HDR		20	/* RTP 12 + extended sequence 2 + line 6 */
#define RTP_PT		96
#define GSO_SEGS	64	/* UDP_MAX_SEGMENTS */
#define GSO_BYTES	65507	/* largest UDP payload over IPv4 */
#define SKB_FRAGS	17	/* MAX_SKB_FRAGS with 4 KiB pages */
#define ETH_OVERHEAD	14	/* what the qdisc counts besides IP */
#define PACE_MARGIN	1.25	/* default pace: 25% above the stream */
#define DRAIN_US	10000000LL	/* wait for completions at the end */
#define CONNECT_MS	10000
#define NOBUFS_US	10000000LL	/* ENOBUFS without progress: give up */
#define EXIT_USAGE	2

enum mode { M_RTP, M_TCP, M_LISTEN };
enum state { S_IDLE, S_LISTEN, S_STREAM, S_DRAIN, S_DONE };

struct opts {
	enum mode mode;
	int mode_set;
	char host[256];		/* destination, or listen address ("" any) */
	unsigned int port;
	const struct mc_fmt *fmt;	/* -f, NULL: keep the node's */
	const char *pattern;
	unsigned long frames;	/* 0: until stopped */
	double seconds;		/* 0: until stopped */
	unsigned int nbufs;
	__u32 memory;
	unsigned int mtu;	/* 0: the route's */
	double rate_mbps;	/* < 0: from the frame rate */
	const char *sdp;
	int copy;
	/* --synthetic: frames made here instead of by a card (tests) */
	unsigned int syn_w, syn_h, syn_fps, syn_n;
};

/* A capture buffer while it is ours. */
struct slot {
	int held;		/* dequeued, not yet given back */
	__u64 zc_first;		/* zerocopy ids of its sends: [first, end) */
	__u64 zc_end;
	__u64 zc_done;		/* how many of them completed */
	unsigned char *hdr;	/* RTP headers of its packets */
	unsigned char *mem;	/* synthetic frames */
};

struct stats {
	unsigned long long frames, drops, packets, bytes, sends;
	unsigned long long zc, zc_copied, enobufs, refused;
};

struct chan {
	int n;			/* position: the port offset */
	char label[96];		/* "ch0 /dev/video0" */
	struct mc_node node;
	int synthetic;
	struct mc_queue q;
	struct v4l2_pix_format pix;
	const struct mc_fmt *f;
	struct v4l2_fract tpf;	/* time per frame */
	int sock, lsock, family;
	char dest[300];
	unsigned int mtu;
	double pace;		/* bytes/s, 0: not paced */
	int zc;			/* MSG_ZEROCOPY (not --copy) */
	enum state state;
	int streaming;		/* between STREAMON and STREAMOFF */
	int failed;
	/* RTP geometry */
	const char *sampling;
	unsigned int pgroup, xinc, pay, segs_line, pkts, per_send;
	int gso;
	__u32 ssrc, rtp_seq, ts_base;
	/* the frame being sent */
	int cur;		/* slot index, -1: none */
	unsigned int pkt;	/* next packet (RTP) */
	size_t off;		/* next byte (TCP) */
	int want_out;		/* wait for POLLOUT */
	long long retry_at;	/* ENOBUFS with nothing in flight */
	long long nobufs_since;	/* first ENOBUFS since the last send */
	/* zerocopy ids: the next send gets zc_next */
	__u64 zc_next;
	struct slot slot[MC_MAX_BUFS];
	unsigned int nslots;
	__u32 last_seq;
	int have_seq;
	long long t_start, t_end, drain_until;
	/* synthetic source */
	long long syn_next;
	__u32 syn_seq;
	size_t syn_len;
	struct stats st;
	struct iovec iov[2 * GSO_SEGS];
	struct mmsghdr mm[GSO_SEGS];
};

static volatile sig_atomic_t stop;
static unsigned int max_frags = SKB_FRAGS;
static size_t page_size = 4096;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static void usage(FILE *out)
{
	fprintf(out,
"Usage: mcap-send (--rtp HOST:PORT | --tcp HOST:PORT | --tcp-listen [ADDR:]PORT)\n"
"                 [-n FRAMES] [-d SECONDS] [-f FMT] [-t PATTERN] [-b NBUFS]\n"
"                 [-i mmap|userptr] [--mtu BYTES] [--rate MBPS] [--sdp FILE]\n"
"                 [--copy] [node...]\n"
"Stream multicap channels (default: every multicap node) from the capture\n"
"buffers with MSG_ZEROCOPY. Node N (from 0) goes to:\n"
"  --rtp HOST:PORT      RTP raw video (RFC 4175) over UDP to PORT+2N\n"
"  --tcp HOST:PORT      raw frames over TCP, connecting to PORT+N\n"
"  --tcp-listen [ADDR:]PORT  raw frames over TCP to the first client that\n"
"                       connects to PORT+N (e.g. GStreamer tcpclientsrc)\n"
"  -n, --frames N       send N frames per channel, then stop\n"
"  -d, --duration S     stop after S seconds (default: at Ctrl-C)\n"
"  -f, --format FMT     set the node's format first; RTP takes UYVY\n"
"                       (YCbCr-4:2:2), RGB24 (RGB) or BGR24 (BGR)\n"
"  -t, --pattern NAME   set the test pattern, e.g. \"Tagged Lines\"\n"
"  -b, --buffers N      capture buffers per channel, 2..%d (default 8)\n"
"  -i, --io mmap|userptr  capture buffer memory (default mmap)\n"
"      --mtu BYTES      packet size limit (default: the route's MTU)\n"
"      --rate MBPS      pace each channel at MBPS Mbit/s, 0: no pacing\n"
"                       (default: the stream's rate + 25%%)\n"
"      --sdp FILE       write an SDP for ffplay/ffmpeg (RTP); \"%%d\" in\n"
"                       FILE: one file per channel\n"
"      --copy           plain send() without MSG_ZEROCOPY (the baseline)\n"
"      --synthetic WxHpFPS[,N]  test only: N channels of generated Tagged\n"
"                       Lines frames instead of nodes\n"
"  -h, --help           this help\n"
"Exit: 0 done, 1 error, 2 bad arguments.\n", MC_MAX_BUFS);
}

static __attribute__((format(printf, 1, 2))) void bad_arg(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, PROG ": ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, " (see --help)\n");
	exit(EXIT_USAGE);
}

static __attribute__((format(printf, 2, 3)))
void chan_err(struct chan *c, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, PROG ": %s: ", c->label);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

static unsigned long parse_ulong(const char *opt, const char *s,
				 unsigned long min, unsigned long max)
{
	unsigned long v;
	char *end;

	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || end == s || *end || *s == '-' || v < min || v > max)
		bad_arg("%s %s: not a whole number in %lu..%lu", opt, s, min,
			max);
	return v;
}

static double parse_double(const char *opt, const char *s, double min,
			   double max)
{
	double v;
	char *end;

	errno = 0;
	v = strtod(s, &end);
	if (errno || end == s || *end || !(v >= min && v <= max))
		bad_arg("%s %s: not a number in %g..%g", opt, s, min, max);
	return v;
}

/* "HOST:PORT", "[V6]:PORT" or, when @host_optional, "PORT" */
static void parse_hostport(const char *opt, const char *s, int host_optional,
			   struct opts *o)
{
	const char *colon = strrchr(s, ':');
	const char *h = s, *hend = colon;

	if (!colon) {
		if (!host_optional)
			bad_arg("%s %s: expected HOST:PORT", opt, s);
		o->host[0] = '\0';
		o->port = parse_ulong(opt, s, 1, 65535);
		return;
	}
	if (*h == '[' && hend > h && hend[-1] == ']') {
		h++;
		hend--;
	}
	if (hend == h || (size_t)(hend - h) >= sizeof(o->host))
		bad_arg("%s %s: bad host", opt, s);
	memcpy(o->host, h, hend - h);
	o->host[hend - h] = '\0';
	o->port = parse_ulong(opt, colon + 1, 1, 65535);
}

static void parse_synthetic(const char *s, struct opts *o)
{
	char extra;
	int n;

	o->syn_n = 1;
	n = sscanf(s, "%ux%up%u,%u%c", &o->syn_w, &o->syn_h, &o->syn_fps,
		   &o->syn_n, &extra);
	if ((n != 3 && n != 4) || o->syn_w < 16 || o->syn_w > 8192 ||
	    o->syn_h < 1 || o->syn_h > 8192 || o->syn_fps < 1 ||
	    o->syn_fps > 240 || o->syn_n < 1 || o->syn_n > MAX_CH)
		bad_arg("--synthetic %s: expected WxHpFPS[,N], e.g. "
			"320x240p30,4 (N 1..%d)", s, MAX_CH);
}

static void set_mode(struct opts *o, enum mode m, const char *opt,
		     const char *arg)
{
	if (o->mode_set)
		bad_arg("%s: only one of --rtp, --tcp, --tcp-listen", opt);
	o->mode = m;
	o->mode_set = 1;
	parse_hostport(opt, arg, m == M_LISTEN, o);
}

enum { O_RTP = 256, O_TCP, O_LISTEN, O_MTU, O_RATE, O_SDP, O_COPY, O_SYN };

static int parse_args(int argc, char **argv, struct opts *o)
{
	static const struct option lo[] = {
		{ "rtp", required_argument, NULL, O_RTP },
		{ "tcp", required_argument, NULL, O_TCP },
		{ "tcp-listen", required_argument, NULL, O_LISTEN },
		{ "frames", required_argument, NULL, 'n' },
		{ "duration", required_argument, NULL, 'd' },
		{ "format", required_argument, NULL, 'f' },
		{ "pattern", required_argument, NULL, 't' },
		{ "buffers", required_argument, NULL, 'b' },
		{ "io", required_argument, NULL, 'i' },
		{ "mtu", required_argument, NULL, O_MTU },
		{ "rate", required_argument, NULL, O_RATE },
		{ "sdp", required_argument, NULL, O_SDP },
		{ "copy", no_argument, NULL, O_COPY },
		{ "synthetic", required_argument, NULL, O_SYN },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int opt;

	while ((opt = getopt_long(argc, argv, "n:d:f:t:b:i:h", lo,
				  NULL)) != -1) {
		switch (opt) {
		case O_RTP: set_mode(o, M_RTP, "--rtp", optarg); break;
		case O_TCP: set_mode(o, M_TCP, "--tcp", optarg); break;
		case O_LISTEN:
			set_mode(o, M_LISTEN, "--tcp-listen", optarg);
			break;
		case 'n':
			o->frames = parse_ulong("-n", optarg, 1, 1UL << 40);
			break;
		case 'd':
			o->seconds = parse_double("-d", optarg, 0.001, 1e7);
			break;
		case 'f':
			o->fmt = mc_fmt_parse(optarg);
			if (!o->fmt)
				bad_arg("-f %s: unknown format (YUYV UYVY RGB24 "
					"BGR24 GREY XBGR32 NV12 NV16)", optarg);
			break;
		case 't': o->pattern = optarg; break;
		case 'b':
			o->nbufs = parse_ulong("-b", optarg, 2, MC_MAX_BUFS);
			break;
		case 'i':
			if (!strcmp(optarg, "mmap"))
				o->memory = V4L2_MEMORY_MMAP;
			else if (!strcmp(optarg, "userptr"))
				o->memory = V4L2_MEMORY_USERPTR;
			else
				bad_arg("-i %s: expected mmap or userptr",
					optarg);
			break;
		case O_MTU:
			o->mtu = parse_ulong("--mtu", optarg, 68, 65535);
			break;
		case O_RATE:
			o->rate_mbps = parse_double("--rate", optarg, 0, 1e6);
			break;
		case O_SDP: o->sdp = optarg; break;
		case O_COPY: o->copy = 1; break;
		case O_SYN: parse_synthetic(optarg, o); break;
		case 'h': usage(stdout); exit(0);
		default: usage(stderr); exit(EXIT_USAGE);
		}
	}
	if (!o->mode_set)
		bad_arg("one of --rtp, --tcp or --tcp-listen is required");
	if (o->sdp && o->mode != M_RTP)
		bad_arg("--sdp describes an RTP stream: only with --rtp");
	if (o->syn_n && optind < argc)
		bad_arg("--synthetic takes no nodes");
	if (o->syn_n && o->pattern)
		bad_arg("--synthetic frames are Tagged Lines: no -t");
	if (argc - optind > MAX_CH)
		bad_arg("%d nodes: at most %d", argc - optind, MAX_CH);
	return optind;
}

/* ---- time ------------------------------------------------------------ */

static long long now_us(void)
{
	return mc_now_us();
}

/* ---- RTP geometry and headers ----------------------------------------- */

static void put16(unsigned char *p, unsigned int v)
{
	p[0] = v >> 8;
	p[1] = v;
}

static void put32(unsigned char *p, __u32 v)
{
	p[0] = v >> 24;
	p[1] = v >> 16;
	p[2] = v >> 8;
	p[3] = v;
}

/* RFC 4175 sampling of @f, its pgroup and pixels per pgroup; NULL if none */
static const char *rtp_sampling(const struct mc_fmt *f, unsigned int *pgroup,
				unsigned int *xinc)
{
	switch (f->fourcc) {
	case V4L2_PIX_FMT_UYVY:
		*pgroup = 4;	/* Cb Y0 Cr Y1: RFC 4175's own order */
		*xinc = 2;
		return "YCbCr-4:2:2";
	case V4L2_PIX_FMT_RGB24:
		*pgroup = 3;
		*xinc = 1;
		return "RGB";
	case V4L2_PIX_FMT_BGR24:
		*pgroup = 3;
		*xinc = 1;
		return "BGR";
	}
	return NULL;
}

/*
 * The largest payload that divides the line's active bytes, is whole
 * pgroups and fits the MTU: every packet then carries one segment of one
 * line and all packets have the same size, as UDP GSO needs.
 */
static int rtp_geometry(struct chan *c)
{
	unsigned int act = mc_fmt_active(c->f, c->pix.width);
	unsigned int ip = c->family == AF_INET6 ? 40 : 20;
	unsigned int room, groups, k;

	c->sampling = rtp_sampling(c->f, &c->pgroup, &c->xinc);
	if (act % c->pgroup) {
		chan_err(c, "width %u is not whole %u-byte pgroups",
			 c->pix.width, c->pgroup);
		return -1;
	}
	if (c->mtu < ip + 8 + RTP_HDR + c->pgroup) {
		chan_err(c, "MTU %u too small for RTP", c->mtu);
		return -1;
	}
	room = c->mtu - ip - 8 - RTP_HDR;
	groups = act / c->pgroup;
	for (k = 1; k <= groups; k++)
		if (groups % k == 0 && act / k <= room)
			break;
	c->pay = act / k;
	c->segs_line = k;
	c->pkts = c->pix.height * k;
	c->per_send = GSO_BYTES / (RTP_HDR + c->pay);
	if (c->per_send > GSO_SEGS)
		c->per_send = GSO_SEGS;
	if (c->pix.height > 32768 || c->pix.width > 32768) {
		chan_err(c, "%ux%u: RFC 4175 line and offset fields are 15 bits",
			 c->pix.width, c->pix.height);
		return -1;
	}
	c->gso = 1;
	return 0;
}

/* The headers of every packet of the frame in @s, RTP timestamp @ts. */
static void rtp_headers(struct chan *c, struct slot *s, __u32 ts)
{
	unsigned char *h = s->hdr;
	unsigned int i, line, seg;

	for (i = 0; i < c->pkts; i++, h += RTP_HDR) {
		__u32 seq = c->rtp_seq++;

		line = i / c->segs_line;
		seg = i % c->segs_line;
		h[0] = 0x80;			/* V=2, no P, X, CC */
		h[1] = RTP_PT | (i == c->pkts - 1 ? 0x80 : 0);	/* M */
		put16(h + 2, seq & 0xffff);
		put32(h + 4, ts);
		put32(h + 8, c->ssrc);
		put16(h + 12, seq >> 16);	/* extended sequence number */
		put16(h + 14, c->pay);		/* length */
		put16(h + 16, line);		/* F=0, line number */
		put16(h + 18, seg * c->pay / c->pgroup * c->xinc); /* C=0 */
	}
}

/* ---- zerocopy completions --------------------------------------------- */

/* a 32-bit zerocopy id as the 64-bit one near the next send's */
static __u64 zc_extend(const struct chan *c, __u32 id)
{
	return c->zc_next + (__s64)(__s32)(id - (__u32)c->zc_next);
}

static void zc_complete(struct chan *c, __u32 lo32, __u32 hi32, int copied)
{
	__u64 lo = zc_extend(c, lo32), hi = lo + (__u32)(hi32 - lo32) + 1;
	__u64 a, b, n;
	unsigned int i;

	/*
	 * Ids at or past zc_next belong to sends that failed after the
	 * kernel had numbered them (a qdisc drop, EIO from GSO): their
	 * packets never left, but the frame being sent owns the number.
	 */
	if (hi > c->zc_next) {
		n = hi - (lo > c->zc_next ? lo : c->zc_next);
		c->zc_next = hi;
		if (c->cur >= 0) {
			c->slot[c->cur].zc_done += n;
			c->slot[c->cur].zc_end = hi;
		}
		hi -= n;
	}
	if (hi <= lo)
		return;
	c->st.zc += hi - lo;
	if (copied)
		c->st.zc_copied += hi - lo;
	for (i = 0; i < c->nslots; i++) {
		struct slot *s = &c->slot[i];

		if (!s->held)
			continue;
		a = lo > s->zc_first ? lo : s->zc_first;
		b = hi < s->zc_end ? hi : s->zc_end;
		if (b > a)
			s->zc_done += b - a;
	}
}

static int net_error(struct chan *c, int err)
{
	switch (err) {
	case ECONNREFUSED:
		/* nobody listens on the port (yet): the stream goes on */
		if (!c->st.refused++)
			printf("%s: %s refused (port unreachable): nobody "
			       "receives yet\n", c->label, c->dest);
		return 0;
	case EHOSTUNREACH:
	case ENETUNREACH:
	case EHOSTDOWN:
	case ENETDOWN:
		chan_err(c, "%s: %s", c->dest, strerror(err));
		return -1;
	}
	chan_err(c, "warning: %s: %s", c->dest, strerror(err));
	return 0;
}

/* Read the socket's error queue: zerocopy completions and ICMP errors. */
static int reap(struct chan *c)
{
	char ctl[CMSG_SPACE(sizeof(struct sock_extended_err) +
			    sizeof(struct sockaddr_in6))];
	struct sock_extended_err *ee;
	struct msghdr m;
	struct cmsghdr *cm;

	for (;;) {
		memset(&m, 0, sizeof(m));
		m.msg_control = ctl;
		m.msg_controllen = sizeof(ctl);
		if (recvmsg(c->sock, &m, MSG_ERRQUEUE | MSG_DONTWAIT) < 0) {
			if (errno == EAGAIN || errno == EINTR)
				return 0;
			chan_err(c, "reading the error queue: %s",
				 strerror(errno));
			return -1;
		}
		for (cm = CMSG_FIRSTHDR(&m); cm; cm = CMSG_NXTHDR(&m, cm)) {
			if (!((cm->cmsg_level == SOL_IP &&
			       cm->cmsg_type == IP_RECVERR) ||
			      (cm->cmsg_level == SOL_IPV6 &&
			       cm->cmsg_type == IPV6_RECVERR)))
				continue;
			ee = (struct sock_extended_err *)CMSG_DATA(cm);
			if (ee->ee_origin == SO_EE_ORIGIN_ZEROCOPY)
				zc_complete(c, ee->ee_info, ee->ee_data,
					    ee->ee_code &
					    SO_EE_CODE_ZEROCOPY_COPIED);
			else if (ee->ee_errno && net_error(c, ee->ee_errno))
				return -1;
		}
	}
}

/* ---- capture side ----------------------------------------------------- */

/* Tagged Lines, as the card's test pattern draws it (test/tools/common.c) */
static void syn_fill(struct chan *c, unsigned char *p, __u32 seq)
{
	unsigned int act = mc_fmt_active(c->f, c->pix.width);
	unsigned int lines = mc_fmt_lines(c->f, c->pix.height), l, i;
	__u32 tag[4];

	for (l = 0; l < lines; l++, p += c->pix.bytesperline) {
		tag[1] = htole32(c->n);
		tag[2] = htole32(seq);
		tag[3] = htole32(l);
		memcpy(tag, "MCAP", 4);
		memcpy(p, tag, MC_TAG_LEN);
		for (i = MC_TAG_LEN; i < act; i++)
			p[i] = seq + l + i;
	}
}

static unsigned char *slot_mem(struct chan *c, unsigned int i)
{
	return c->synthetic ? c->slot[i].mem : c->q.buf[i].mem;
}

static int give_back(struct chan *c, unsigned int i)
{
	c->slot[i].held = 0;
	if (c->synthetic)
		return 0;
	return mc_queue_buf(&c->q, i, -1);
}

/* Requeue every buffer whose sends have all completed. */
static int requeue_done(struct chan *c)
{
	unsigned int i;

	for (i = 0; i < c->nslots; i++) {
		struct slot *s = &c->slot[i];

		if (s->held && (int)i != c->cur &&
		    s->zc_done >= s->zc_end - s->zc_first &&
		    give_back(c, i)) {
			chan_err(c, "QBUF %u: %s", i, strerror(errno));
			return -1;
		}
	}
	return 0;
}

/* The next synthetic frame when due: 0 got one, 1 not yet. */
static int syn_dequeue(struct chan *c, struct v4l2_buffer *b)
{
	long long now = now_us();
	unsigned int i;

	if (now < c->syn_next)
		return 1;
	memset(b, 0, sizeof(*b));
	b->sequence = c->syn_seq++;
	b->timestamp.tv_sec = c->syn_next / 1000000;
	b->timestamp.tv_usec = c->syn_next % 1000000;
	c->syn_next += 1000000LL * c->tpf.numerator / c->tpf.denominator;
	for (i = 0; i < c->nslots; i++)
		if (!c->slot[i].held)
			break;
	if (i == c->nslots)
		return 1;	/* no free buffer: dropped, a sequence gap */
	b->index = i;
	syn_fill(c, c->slot[i].mem, b->sequence);
	return 0;
}

/* ---- sending ---------------------------------------------------------- */

enum { FRAME_SENT, RETRY, AGAIN, FAILED };

/* zerocopy sends not yet reported complete */
static __u64 zc_inflight(const struct chan *c)
{
	__u64 n = 0;
	unsigned int i;

	for (i = 0; i < c->nslots; i++)
		if (c->slot[i].held)
			n += c->slot[i].zc_end - c->slot[i].zc_first -
			     c->slot[i].zc_done;
	return n;
}

/* What to do after a send failed with @err. */
static int send_failed(struct chan *c, int err)
{
	/* a zerocopy send that failed late still used an id: learn it */
	if (reap(c))
		return FAILED;
	switch (err) {
	case EINTR:
	case ECONNREFUSED:	/* counted by reap(); the stream goes on */
		return RETRY;
	case EAGAIN:
		c->want_out = 1;
		return AGAIN;
	case ENOBUFS:
		/*
		 * No room for the zerocopy notification (optmem_max) or for
		 * pinning more pages (RLIMIT_MEMLOCK): completions free both.
		 * With nothing in flight, try again shortly.
		 */
		c->st.enobufs++;
		if (!c->nobufs_since)
			c->nobufs_since = now_us();
		if (now_us() - c->nobufs_since > NOBUFS_US) {
			chan_err(c, "sends to %s fail with ENOBUFS for %lld s: "
				 "a qdisc limit below one batch, or optmem_max "
				 "/ RLIMIT_MEMLOCK too low?", c->dest,
				 NOBUFS_US / 1000000);
			return FAILED;
		}
		if (!zc_inflight(c))
			c->retry_at = now_us() + 1000;
		return AGAIN;
	case EPIPE:
	case ECONNRESET:
		chan_err(c, "%s closed the connection", c->dest);
		return FAILED;
	case EMSGSIZE:
		chan_err(c, "%s: packets too large for the route (--mtu)",
			 c->dest);
		return FAILED;
	}
	chan_err(c, "sending to %s: %s", c->dest, strerror(err));
	return FAILED;
}

/* @n packets in one sendmsg(), cut into datagrams by UDP GSO */
/*
 * @calls send calls that queued @bytes of the frame in @s went through:
 * count them; with zerocopy each took the next id, the last of which the
 * slot waits for.
 */
static void sends_done(struct chan *c, struct slot *s,
		       unsigned long long bytes, unsigned int calls)
{
	c->nobufs_since = 0;
	c->st.bytes += bytes;
	c->st.sends += calls;
	if (c->zc) {
		c->zc_next += calls;
		s->zc_end = c->zc_next;
	}
}

static ssize_t send_gso(struct chan *c, unsigned int n, int flags)
{
	char ctl[CMSG_SPACE(sizeof(__u16))] = { 0 };
	struct msghdr m = { .msg_iov = c->iov, .msg_iovlen = 2 * n };
	struct cmsghdr *cm;

	if (n > 1) {
		m.msg_control = ctl;
		m.msg_controllen = sizeof(ctl);
		cm = CMSG_FIRSTHDR(&m);
		cm->cmsg_level = SOL_UDP;
		cm->cmsg_type = UDP_SEGMENT;
		cm->cmsg_len = CMSG_LEN(sizeof(__u16));
		*(__u16 *)CMSG_DATA(cm) = RTP_HDR + c->pay;
	}
	return sendmsg(c->sock, &m, flags) < 0 ? -1 : (ssize_t)n;
}

/* @n packets, one datagram per message of one sendmmsg() */
static ssize_t send_mmsg(struct chan *c, unsigned int n, int flags)
{
	unsigned int k;

	memset(c->mm, 0, n * sizeof(c->mm[0]));
	for (k = 0; k < n; k++) {
		c->mm[k].msg_hdr.msg_iov = &c->iov[2 * k];
		c->mm[k].msg_hdr.msg_iovlen = 2;
	}
	return sendmmsg(c->sock, c->mm, n, flags);
}

static void gso_off(struct chan *c)
{
	c->gso = 0;
	printf("%s: UDP GSO refused (EIO: the egress device has no checksum "
	       "offload): one datagram per sendmmsg() message\n", c->label);
}

/* pages that @len bytes at @p touch: the skb fragments they take */
static unsigned int frags_of(const void *p, size_t len)
{
	uintptr_t a = (uintptr_t)p;

	return (a + len - 1) / page_size - a / page_size + 1;
}

/*
 * Fill the iovec with up to @max packets from the next one on, header and
 * payload slice alternating. A zerocopy send puts every piece of user
 * memory into one skb as a page fragment, and an skb holds at most
 * MAX_SKB_FRAGS of them (more: EMSGSIZE), so that caps the batch too.
 */
static unsigned int rtp_iov(struct chan *c, unsigned int max)
{
	struct slot *s = &c->slot[c->cur];
	unsigned char *mem = slot_mem(c, c->cur);
	unsigned int k, i, frags = 0, f;
	unsigned char *h, *p;

	for (k = 0; k < max && c->pkt + k < c->pkts; k++) {
		i = c->pkt + k;
		h = s->hdr + (size_t)i * RTP_HDR;
		p = mem + (size_t)(i / c->segs_line) * c->pix.bytesperline +
		    (size_t)(i % c->segs_line) * c->pay;
		f = frags_of(h, RTP_HDR) + frags_of(p, c->pay);
		if (c->zc && c->gso && k && frags + f > max_frags)
			break;
		frags += f;
		c->iov[2 * k].iov_base = h;
		c->iov[2 * k].iov_len = RTP_HDR;
		c->iov[2 * k + 1].iov_base = p;
		c->iov[2 * k + 1].iov_len = c->pay;
	}
	return k;
}

/* Send what is left of the current frame's packets. */
static int rtp_send(struct chan *c)
{
	struct slot *s = &c->slot[c->cur];
	int flags = MSG_DONTWAIT | (c->zc ? MSG_ZEROCOPY : 0), r;
	unsigned int n;
	ssize_t sent;

	while (c->pkt < c->pkts) {
		n = rtp_iov(c, c->gso ? c->per_send : GSO_SEGS);
		sent = c->gso ? send_gso(c, n, flags) : send_mmsg(c, n, flags);
		if (sent < 0 && errno == EIO && c->gso) {
			if (reap(c))
				return FAILED;
			gso_off(c);
			continue;
		}
		if (sent < 0) {
			r = send_failed(c, errno);
			if (r == RETRY)
				continue;
			return r;
		}
		c->pkt += sent;
		c->st.packets += sent;
		sends_done(c, s, (unsigned long long)sent * (RTP_HDR + c->pay),
			   c->gso ? 1 : sent);
		/*
		 * sendmmsg() drops the error of a message that failed after
		 * others went out; a late failure (qdisc drop) used an id.
		 */
		if (!c->gso && (unsigned int)sent < n && reap(c))
			return FAILED;
	}
	return FRAME_SENT;
}

/* Send what is left of the current frame, sizeimage bytes. */
static int tcp_send(struct chan *c)
{
	struct slot *s = &c->slot[c->cur];
	unsigned char *mem = slot_mem(c, c->cur);
	int flags = MSG_DONTWAIT | MSG_NOSIGNAL | (c->zc ? MSG_ZEROCOPY : 0);
	size_t len = c->pix.sizeimage;
	ssize_t sent;
	int r;

	while (c->off < len) {
		sent = send(c->sock, mem + c->off, len - c->off, flags);
		if (sent < 0) {
			r = send_failed(c, errno);
			if (r == RETRY)
				continue;
			return r;
		}
		c->off += sent;
		sends_done(c, s, sent, 1);
	}
	return FRAME_SENT;
}

static __u32 rtp_clock(const struct timeval *tv)
{
	return (__u64)tv->tv_sec * 90000 + (__u64)tv->tv_usec * 9 / 100;
}

/* Take the next captured frame: 0 got one, 1 none ready, -1 error. */
static int next_frame(struct chan *c, enum mode mode)
{
	struct v4l2_buffer b;
	struct slot *s;
	int r;

	r = c->synthetic ? syn_dequeue(c, &b) : mc_dequeue_buf(&c->q, &b);
	if (r)
		return r;
	if (c->have_seq && b.sequence != c->last_seq + 1)
		c->st.drops += b.sequence - c->last_seq - 1;
	c->last_seq = b.sequence;
	c->have_seq = 1;
	s = &c->slot[b.index];
	s->held = 1;
	s->zc_first = c->zc_next;
	s->zc_end = c->zc_next;
	s->zc_done = 0;
	c->cur = b.index;
	c->pkt = 0;
	c->off = 0;
	if (mode == M_RTP)
		rtp_headers(c, s, rtp_clock(&b.timestamp) + c->ts_base);
	return 0;
}

/* ---- channel life ------------------------------------------------------ */

static int start_stream(struct chan *c)
{
	if (!c->synthetic && mc_stream(c->node.fd, 1)) {
		chan_err(c, "STREAMON: %s", strerror(errno));
		return -1;
	}
	c->streaming = 1;
	c->state = S_STREAM;
	c->t_start = now_us();
	c->t_end = c->t_start;
	c->syn_next = c->t_start;
	return 0;
}

static void begin_drain(struct chan *c)
{
	if (c->state == S_LISTEN) {
		c->state = S_DONE;
		return;
	}
	if (c->state != S_STREAM)
		return;
	c->state = S_DRAIN;
	if (!c->drain_until)
		c->drain_until = now_us() + DRAIN_US;
}

/* Stop the channel; sends still in flight keep their pages pinned. */
static void finish(struct chan *c)
{
	__u64 left = zc_inflight(c);

	if (left)
		chan_err(c, "warning: %llu zerocopy sends not reported complete "
			 "after %lld s", (unsigned long long)left,
			 DRAIN_US / 1000000);
	if (!c->synthetic && c->streaming)
		mc_stream(c->node.fd, 0);
	c->streaming = 0;
	if (c->sock >= 0) {
		shutdown(c->sock, SHUT_WR);	/* TCP: end of stream */
		close(c->sock);
		c->sock = -1;
	}
	c->state = S_DONE;
}

static void set_sock_opts(struct chan *c, int type);

static int try_accept(struct chan *c)
{
	struct sockaddr_storage sa;
	socklen_t len = sizeof(sa);
	char host[INET6_ADDRSTRLEN] = "?";
	int fd;

	fd = accept4(c->lsock, (struct sockaddr *)&sa, &len,
		     SOCK_NONBLOCK | SOCK_CLOEXEC);
	if (fd < 0) {
		if (errno == EAGAIN || errno == EINTR ||
		    errno == ECONNABORTED)
			return 0;
		chan_err(c, "accept: %s", strerror(errno));
		return -1;
	}
	close(c->lsock);	/* one client per channel */
	c->lsock = -1;
	c->sock = fd;
	getnameinfo((struct sockaddr *)&sa, len, host, sizeof(host), NULL, 0,
		    NI_NUMERICHOST);
	snprintf(c->dest, sizeof(c->dest), "client %s", host);
	printf("%s: %s connected\n", c->label, c->dest);
	set_sock_opts(c, SOCK_STREAM);
	if (c->failed)
		return -1;
	return start_stream(c);
}

/* Everything the channel can do now without blocking. */
static void chan_step(struct chan *c, const struct opts *o, short sock_ev)
{
	long long now;
	int r, err = 0;
	socklen_t len = sizeof(err);

	if (c->state == S_LISTEN && (stop || try_accept(c))) {
		if (!stop)
			c->failed = 1;
		finish(c);
		return;
	}
	if (c->state != S_STREAM && c->state != S_DRAIN)
		return;
	if (reap(c))
		goto fail;
	if ((sock_ev & POLLERR) &&
	    !getsockopt(c->sock, SOL_SOCKET, SO_ERROR, &err, &len) && err &&
	    send_failed(c, err) == FAILED)
		goto fail;
	if (requeue_done(c))
		goto fail;
	for (;;) {
		if (c->cur < 0) {
			if (c->state != S_STREAM)
				break;
			if (stop || (o->frames && c->st.frames >= o->frames)) {
				begin_drain(c);
				break;
			}
			r = next_frame(c, o->mode);
			if (r < 0)
				goto fail;
			if (r > 0)
				break;
		}
		if (c->retry_at && now_us() < c->retry_at)
			break;
		c->retry_at = 0;
		c->want_out = 0;
		r = o->mode == M_RTP ? rtp_send(c) : tcp_send(c);
		if (r == FAILED)
			goto fail;
		if (r == AGAIN)
			break;
		c->st.frames++;
		c->cur = -1;
		c->t_end = now_us();
		if (requeue_done(c))
			goto fail;
	}
	now = now_us();
	if (stop && c->state == S_STREAM && !c->drain_until)
		c->drain_until = now + DRAIN_US;
	if (c->drain_until && now >= c->drain_until)
		finish(c);	/* a frame stuck in flight: give up */
	else if (c->state == S_DRAIN && c->cur < 0 && !zc_inflight(c))
		finish(c);
	return;
fail:
	c->failed = 1;
	finish(c);
}

/* ---- setup -------------------------------------------------------------- */

static void set_pacing(struct chan *c)
{
	unsigned int v32;
	__u64 v64;
	int r;

	if (c->pace <= 0)
		return;
	if (c->pace < 4294967295.0) {
		v32 = c->pace;
		r = setsockopt(c->sock, SOL_SOCKET, SO_MAX_PACING_RATE, &v32,
			       sizeof(v32));
	} else {
		v64 = c->pace;
		r = setsockopt(c->sock, SOL_SOCKET, SO_MAX_PACING_RATE, &v64,
			       sizeof(v64));
	}
	if (r)
		chan_err(c, "warning: SO_MAX_PACING_RATE: %s (not paced)",
			 strerror(errno));
}

/* Zerocopy, error queue room, ICMP errors and pacing on the data socket. */
static void set_sock_opts(struct chan *c, int type)
{
	int one = 1, rcv = 1 << 20;

	if (c->zc && setsockopt(c->sock, SOL_SOCKET, SO_ZEROCOPY, &one,
				sizeof(one))) {
		chan_err(c, "SO_ZEROCOPY: %s (kernel without MSG_ZEROCOPY "
			 "for this socket? --copy sends without it)",
			 strerror(errno));
		c->failed = 1;
		return;
	}
	/* the completions queue up there: room for many */
	if (setsockopt(c->sock, SOL_SOCKET, SO_RCVBUFFORCE, &rcv, sizeof(rcv)))
		setsockopt(c->sock, SOL_SOCKET, SO_RCVBUF, &rcv, sizeof(rcv));
	/* ICMP errors (host unreachable) reach the sender only so */
	if (type == SOCK_DGRAM && c->family == AF_INET)
		setsockopt(c->sock, SOL_IP, IP_RECVERR, &one, sizeof(one));
	else if (type == SOCK_DGRAM)
		setsockopt(c->sock, SOL_IPV6, IPV6_RECVERR, &one, sizeof(one));
	set_pacing(c);
}

static void addr_str(const struct sockaddr *sa, socklen_t len, char *buf,
		     size_t size)
{
	char host[INET6_ADDRSTRLEN] = "?", port[8] = "?";

	getnameinfo(sa, len, host, sizeof(host), port, sizeof(port),
		    NI_NUMERICHOST | NI_NUMERICSERV);
	snprintf(buf, size, sa->sa_family == AF_INET6 ? "[%s]:%s" : "%s:%s",
		 host, port);
}

static void set_port(struct sockaddr_storage *ss, unsigned int port)
{
	if (ss->ss_family == AF_INET6)
		((struct sockaddr_in6 *)ss)->sin6_port = htons(port);
	else
		((struct sockaddr_in *)ss)->sin_port = htons(port);
}

/* Wait for a non-blocking connect() (TCP). */
static int connect_wait(struct chan *c)
{
	struct pollfd p = { .fd = c->sock, .events = POLLOUT };
	long long end = now_us() + CONNECT_MS * 1000LL;
	int err = 0, r;
	socklen_t len = sizeof(err);

	while (!stop && (r = poll(&p, 1, 100)) == 0 && now_us() < end)
		;
	if (stop || r == 0) {
		chan_err(c, "%s: %s", c->dest, stop ? "interrupted" :
			 "connect timed out");
		return -1;
	}
	if (r < 0 || getsockopt(c->sock, SOL_SOCKET, SO_ERROR, &err, &len))
		err = errno;
	if (err) {
		chan_err(c, "%s: connect: %s", c->dest, strerror(err));
		return -1;
	}
	return 0;
}

/* The channel's socket: connected (--rtp, --tcp) or listening. */
static int net_setup(struct chan *c, const struct opts *o,
		     const struct addrinfo *ai)
{
	struct sockaddr_storage ss;
	int type = o->mode == M_RTP ? SOCK_DGRAM : SOCK_STREAM, one = 1;
	unsigned int port = o->port + (o->mode == M_RTP ? 2 : 1) * c->n;

	memcpy(&ss, ai->ai_addr, ai->ai_addrlen);
	set_port(&ss, port);
	c->family = ai->ai_family;
	addr_str((struct sockaddr *)&ss, ai->ai_addrlen, c->dest,
		 sizeof(c->dest));
	c->sock = socket(c->family, type | SOCK_CLOEXEC |
			 (o->mode == M_RTP ? 0 : SOCK_NONBLOCK), 0);
	if (c->sock < 0) {
		chan_err(c, "socket: %s", strerror(errno));
		return -1;
	}
	if (o->mode == M_LISTEN) {
		c->lsock = c->sock;
		c->sock = -1;
		setsockopt(c->lsock, SOL_SOCKET, SO_REUSEADDR, &one,
			   sizeof(one));
		if (bind(c->lsock, (struct sockaddr *)&ss, ai->ai_addrlen) ||
		    listen(c->lsock, 1)) {
			chan_err(c, "listening on %s: %s", c->dest,
				 strerror(errno));
			return -1;
		}
		return 0;
	}
	if (connect(c->sock, (struct sockaddr *)&ss, ai->ai_addrlen) &&
	    (errno != EINPROGRESS || connect_wait(c))) {
		if (errno != EINPROGRESS)
			chan_err(c, "%s: %s", c->dest, strerror(errno));
		return -1;
	}
	if (o->mode == M_RTP && fcntl(c->sock, F_SETFL, O_NONBLOCK)) {
		chan_err(c, "O_NONBLOCK: %s", strerror(errno));
		return -1;
	}
	return 0;
}

/* The MTU the packets must fit: --mtu, else the route's. */
static int mtu_setup(struct chan *c, const struct opts *o)
{
	int mtu = 0;
	socklen_t len = sizeof(mtu);

	if (c->family == AF_INET6)
		getsockopt(c->sock, SOL_IPV6, IPV6_MTU, &mtu, &len);
	else
		getsockopt(c->sock, SOL_IP, IP_MTU, &mtu, &len);
	if (mtu <= 0)
		mtu = 1500;
	if (o->mtu > (unsigned int)mtu) {
		chan_err(c, "--mtu %u: above the MTU %d of the route to %s",
			 o->mtu, mtu, c->dest);
		return -1;
	}
	c->mtu = o->mtu ? o->mtu : (unsigned int)mtu;
	return 0;
}

static void pace_setup(struct chan *c, const struct opts *o)
{
	double fps = c->tpf.numerator ?
		     (double)c->tpf.denominator / c->tpf.numerator : 0;
	unsigned int ip = c->family == AF_INET6 ? 40 : 20;
	double frame;

	if (o->rate_mbps >= 0) {
		c->pace = o->rate_mbps * 1e6 / 8;
		return;
	}
	if (o->mode == M_RTP)
		frame = (double)c->pkts *
			(RTP_HDR + c->pay + 8 + ip + ETH_OVERHEAD);
	else	/* MSS-sized segments with timestamps */
		frame = c->pix.sizeimage *
			(1 + (ip + 32 + ETH_OVERHEAD) / 1448.0);
	c->pace = frame * fps * PACE_MARGIN;
}

/* Format, test pattern and frame rate of a node. */
static int node_setup(struct chan *c, const struct opts *o)
{
	struct v4l2_format fmt = { .type = V4L2_BUF_TYPE_VIDEO_CAPTURE };
	struct v4l2_streamparm parm = { .type = V4L2_BUF_TYPE_VIDEO_CAPTURE };
	char s[5];

	if (o->pattern && mc_set_menu_ctrl(c->node.fd, V4L2_CID_TEST_PATTERN,
					   o->pattern) < 0) {
		chan_err(c, "test pattern \"%s\": no such menu item",
			 o->pattern);
		return -1;
	}
	if (o->fmt) {
		if (mc_set_format(c->node.fd, c->label, o->fmt, 0, &c->pix))
			return -1;
	} else if (ioctl(c->node.fd, VIDIOC_G_FMT, &fmt)) {
		chan_err(c, "G_FMT: %s", strerror(errno));
		return -1;
	} else {
		c->pix = fmt.fmt.pix;
	}
	c->f = mc_fmt_by_fourcc(c->pix.pixelformat);
	if (!c->f) {
		chan_err(c, "format %s: not one of the card's",
			 mc_fourcc_str(c->pix.pixelformat, s));
		return -1;
	}
	if (!ioctl(c->node.fd, VIDIOC_G_PARM, &parm))
		c->tpf = parm.parm.capture.timeperframe;
	return 0;
}

static void syn_setup(struct chan *c, const struct opts *o)
{
	c->f = o->fmt ? o->fmt : mc_fmt_parse("UYVY");
	c->pix.width = o->syn_w;
	c->pix.height = o->syn_h;
	c->pix.pixelformat = c->f->fourcc;
	c->pix.bytesperline = mc_fmt_active(c->f, o->syn_w);
	c->pix.sizeimage = mc_fmt_sizeimage(c->f, c->pix.bytesperline,
					    o->syn_h);
	c->pix.colorspace = o->syn_h >= 720 ? V4L2_COLORSPACE_REC709 :
			    V4L2_COLORSPACE_SMPTE170M;
	c->tpf.numerator = 1;
	c->tpf.denominator = o->syn_fps;
}

static int fmt_check(struct chan *c, const struct opts *o)
{
	unsigned int pg, xi;
	char s[5];

	if (o->mode != M_RTP || rtp_sampling(c->f, &pg, &xi))
		return 0;
	mc_fourcc_str(c->f->fourcc, s);
	if (c->f->fourcc == V4L2_PIX_FMT_YUYV)
		chan_err(c, "format YUYV: RFC 4175 4:2:2 is Cb Y0 Cr Y1, the "
			 "card's UYVY; capture UYVY (-f UYVY) to send it "
			 "without converting");
	else
		chan_err(c, "format %s: no RFC 4175 sampling for it (RTP "
			 "takes UYVY, RGB24 or BGR24; --tcp takes any)", s);
	return -1;
}

/* Capture buffers (the card's, or plain pages for --synthetic). */
static int buf_setup(struct chan *c, const struct opts *o)
{
	size_t pg = sysconf(_SC_PAGESIZE), hdr = (size_t)c->pkts * RTP_HDR;
	unsigned char *h = NULL;
	unsigned int i;
	int r;

	if (c->synthetic) {
		c->nslots = o->nbufs;
		c->syn_len = (c->pix.sizeimage + pg - 1) / pg * pg;
	} else {
		r = mc_queue_init(&c->q, c->node.fd, o->memory, o->nbufs,
				  &c->pix, c->f, NULL);
		if (r) {
			chan_err(c, "%s buffers: %s", o->memory ==
				 V4L2_MEMORY_MMAP ? "MMAP" : "USERPTR",
				 r == -2 ? "not supported by the node" :
				 "cannot allocate them");
			return -1;
		}
		c->nslots = c->q.count;
	}
	if (hdr && posix_memalign((void **)&h, pg, hdr * c->nslots)) {
		chan_err(c, "out of memory");
		return -1;
	}
	for (i = 0; i < c->nslots; i++) {
		c->slot[i].hdr = h ? h + i * hdr : NULL;
		if (c->synthetic) {
			c->slot[i].mem = mmap(NULL, c->syn_len,
					      PROT_READ | PROT_WRITE,
					      MAP_PRIVATE | MAP_ANONYMOUS,
					      -1, 0);
			if (c->slot[i].mem == MAP_FAILED) {
				c->slot[i].mem = NULL;
				chan_err(c, "mmap: %s", strerror(errno));
				return -1;
			}
		} else if (mc_queue_buf(&c->q, i, -1)) {
			return -1;
		}
	}
	return 0;
}

static void print_setup(const struct chan *c, const struct opts *o)
{
	char s[5];

	printf("%s: %s %ux%u bpl %u, %u/%u s per frame, ", c->label,
	       mc_fourcc_str(c->f->fourcc, s), c->pix.width, c->pix.height,
	       c->pix.bytesperline, c->tpf.numerator, c->tpf.denominator);
	if (o->mode == M_RTP)
		printf("RTP %s to %s: %u packets of %u+%u bytes per frame, "
		       "up to %u per sendmsg, ", c->sampling, c->dest, c->pkts,
		       RTP_HDR, c->pay, c->zc ? max_frags / 2 : c->per_send);
	else
		printf("TCP %s %s, %u bytes per frame, ",
		       o->mode == M_LISTEN ? "listening on" : "to", c->dest,
		       c->pix.sizeimage);
	if (c->pace > 0)
		printf("paced at %.1f Mbit/s, ", c->pace * 8 / 1e6);
	else
		printf("not paced, ");
	printf("%s\n", c->zc ? "MSG_ZEROCOPY" : "copying (--copy)");
}

static int chan_setup(struct chan *c, const struct opts *o,
		      const struct addrinfo *ai)
{
	__u32 r[3];

	if (getrandom(r, sizeof(r), 0) != sizeof(r))
		memset(r, 0x5a, sizeof(r));
	c->ssrc = r[0] ^ c->n;
	c->rtp_seq = r[1] & 0xffff;
	c->ts_base = r[2];
	c->zc = !o->copy;
	c->cur = -1;
	if (c->synthetic)
		syn_setup(c, o);
	else if (node_setup(c, o))
		return -1;
	if (fmt_check(c, o) || net_setup(c, o, ai))
		return -1;
	if (o->mode == M_RTP && (mtu_setup(c, o) || rtp_geometry(c)))
		return -1;
	pace_setup(c, o);
	if (o->mode != M_LISTEN) {
		set_sock_opts(c, o->mode == M_RTP ? SOCK_DGRAM : SOCK_STREAM);
		if (c->failed)
			return -1;
	}
	if (buf_setup(c, o))
		return -1;
	print_setup(c, o);
	return 0;
}

static void chan_free(struct chan *c)
{
	unsigned int i;

	if (c->sock >= 0)
		close(c->sock);
	if (c->lsock >= 0)
		close(c->lsock);
	if (c->nslots)
		free(c->slot[0].hdr);
	for (i = 0; i < c->nslots; i++)
		if (c->slot[i].mem)
			munmap(c->slot[i].mem, c->syn_len);
	if (!c->synthetic && c->node.fd >= 0) {
		if (c->q.count)
			mc_queue_free(&c->q);
		mc_node_close(&c->node);
	}
}

/* The nodes named, or every multicap node. */
static int open_nodes(struct chan *ch, char **paths, int n)
{
	struct mc_node nodes[MAX_CH];
	struct stat st;
	int i, r;

	if (!n) {
		n = mc_nodes_find(nodes, MAX_CH, NULL, 0);
		if (n <= 0) {
			fprintf(stderr, PROG ": no multicap capture node "
				"found (is the driver loaded?)\n");
			return -1;
		}
	}
	for (i = 0; i < n; i++) {
		if (!paths) {
			ch[i].node = nodes[i];
			continue;
		}
		if (stat(paths[i], &st)) {
			fprintf(stderr, PROG ": %s: %s\n", paths[i],
				strerror(errno));
			return -1;
		}
		r = mc_node_open(&ch[i].node, paths[i]);
		if (r) {
			fprintf(stderr, PROG ": %s: %s%s\n", paths[i], r > 0 ?
				"not a multicap capture node" :
				errno == ENOTTY ? "not a V4L2 device: " : "",
				r > 0 ? "" : strerror(errno));
			return -1;
		}
	}
	return n;
}

static void lookup(const struct opts *o, struct addrinfo **ai)
{
	struct addrinfo hints = {
		.ai_socktype = o->mode == M_RTP ? SOCK_DGRAM : SOCK_STREAM,
	};
	const char *host = o->host;
	int r;

	if (o->mode == M_LISTEN) {
		hints.ai_flags = AI_PASSIVE;
		if (!*host) {
			host = NULL;
			hints.ai_family = AF_INET;
		}
	}
	r = getaddrinfo(host, "0", &hints, ai);
	if (r) {
		fprintf(stderr, PROG ": %s: %s\n", o->host,
			gai_strerror(r));
		exit(1);
	}
}

/* ---- SDP ----------------------------------------------------------------- */

static void sdp_media(FILE *fp, const struct chan *c, unsigned int port)
{
	unsigned int num = c->tpf.numerator, den = c->tpf.denominator;
	int rgb = c->f->fourcc != V4L2_PIX_FMT_UYVY;

	fprintf(fp, "m=video %u RTP/AVP %d\n", port, RTP_PT);
	fprintf(fp, "i=%s\n", c->label);
	fprintf(fp, "a=rtpmap:%d raw/90000\n", RTP_PT);
	fprintf(fp, "a=fmtp:%d sampling=%s; width=%u; height=%u; ", RTP_PT,
		c->sampling, c->pix.width, c->pix.height);
	if (num && den % num == 0)
		fprintf(fp, "exactframerate=%u; ", den / num);
	else if (num)
		fprintf(fp, "exactframerate=%u/%u; ", den, num);
	fprintf(fp, "depth=8; colorimetry=%s; RANGE=%s; PM=2110GPM; "
		"SSN=ST2110-20:2017\n",
		c->pix.colorspace == V4L2_COLORSPACE_SMPTE170M ? "BT601-5" :
		"BT709-2", rgb && c->pix.quantization !=
		V4L2_QUANTIZATION_LIM_RANGE ? "FULL" : "NARROW");
}

static int sdp_write(const char *path, struct chan *ch, int n,
		     const struct opts *o)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);
	char local[INET6_ADDRSTRLEN] = "0.0.0.0";
	const char *ipv = ch[0].family == AF_INET6 ? "IP6" : "IP4";
	FILE *fp = fopen(path, "w");
	int i;

	if (!fp) {
		fprintf(stderr, PROG ": --sdp %s: %s\n", path, strerror(errno));
		return -1;
	}
	if (!getsockname(ch[0].sock, (struct sockaddr *)&ss, &len))
		getnameinfo((struct sockaddr *)&ss, len, local, sizeof(local),
			    NULL, 0, NI_NUMERICHOST);
	fprintf(fp, "v=0\no=- %u 1 IN %s %s\ns=multicap %s\nc=IN %s %s\n"
		"t=0 0\n", ch[0].ssrc, ipv, local, n == 1 ? ch[0].label :
		"channels", ipv, o->host);
	for (i = 0; i < n; i++)
		sdp_media(fp, &ch[i], o->port + 2 * ch[i].n);
	if (fclose(fp)) {
		fprintf(stderr, PROG ": --sdp %s: %s\n", path, strerror(errno));
		return -1;
	}
	printf("SDP: %s\n", path);
	return 0;
}

/* One file for all channels, or with "%d" in the name one per channel. */
static int sdp_files(struct chan *ch, int n, const struct opts *o)
{
	const char *pct = strstr(o->sdp, "%d");
	char path[4096];
	int i;

	if (!pct)
		return sdp_write(o->sdp, ch, n, o);
	for (i = 0; i < n; i++) {
		snprintf(path, sizeof(path), "%.*s%d%s", (int)(pct - o->sdp),
			 o->sdp, ch[i].n, pct + 2);
		if (sdp_write(path, &ch[i], 1, o))
			return -1;
	}
	return 0;
}

/* ---- main loop and summary --------------------------------------------- */

static int poll_timeout(struct chan *ch, int n, long long deadline)
{
	long long now = now_us(), t = now + 200000;
	int i;

	for (i = 0; i < n; i++) {
		struct chan *c = &ch[i];

		if (c->state == S_DONE)
			continue;
		if (c->synthetic && c->state == S_STREAM && c->cur < 0 &&
		    c->syn_next < t)
			t = c->syn_next;
		if (c->retry_at && c->retry_at < t)
			t = c->retry_at;
		if (c->drain_until && c->drain_until < t)
			t = c->drain_until;
	}
	if (deadline && deadline < t)
		t = deadline;
	return t <= now ? 0 : (int)((t - now + 999) / 1000);
}

static int run(struct chan *ch, int n, const struct opts *o)
{
	struct pollfd pfd[2 * MAX_CH];
	int sock_at[MAX_CH];
	long long deadline = o->seconds ? now_us() + o->seconds * 1e6 : 0;
	int i, np, left;

	for (;;) {
		np = 0;
		left = 0;
		for (i = 0; i < n; i++) {
			struct chan *c = &ch[i];

			sock_at[i] = -1;
			if (c->state == S_DONE)
				continue;
			left++;
			if (c->state == S_LISTEN) {
				pfd[np].fd = c->lsock;
				pfd[np++].events = POLLIN;
				continue;
			}
			sock_at[i] = np;
			pfd[np].fd = c->sock;
			pfd[np++].events = c->want_out ? POLLOUT : 0;
			if (!c->synthetic && c->state == S_STREAM &&
			    c->cur < 0) {
				pfd[np].fd = c->node.fd;
				pfd[np++].events = POLLIN;
			}
		}
		if (!left)
			return 0;
		if (poll(pfd, np, poll_timeout(ch, n, deadline)) < 0 &&
		    errno != EINTR) {
			perror(PROG ": poll");
			return -1;
		}
		if (deadline && now_us() >= deadline)
			stop = 1;
		for (i = 0; i < n; i++)
			chan_step(&ch[i], o,
				  sock_at[i] >= 0 ? pfd[sock_at[i]].revents : 0);
	}
}

static void summary(const struct chan *ch, int n, const struct opts *o)
{
	struct stats t = { 0 };
	long long t0 = 0, t1 = 0;
	int i, failed = 0;

	for (i = 0; i < n; i++) {
		const struct chan *c = &ch[i];
		const struct stats *s = &c->st;
		double secs = (c->t_end - c->t_start) / 1e6;

		printf("%s: frames=%llu drops=%llu bytes=%llu sends=%llu",
		       c->label, s->frames, s->drops, s->bytes, s->sends);
		if (o->mode == M_RTP)
			printf(" packets=%llu gso=%s", s->packets,
			       c->gso ? "on" : "off");
		printf(" MB/s=%.2f zc=%llu zc_copied=%llu enobufs=%llu%s\n",
		       secs > 0 ? s->bytes / secs / 1e6 : 0.0, s->zc,
		       s->zc_copied, s->enobufs, c->failed ? " FAILED" : "");
		t.frames += s->frames;
		t.drops += s->drops;
		t.bytes += s->bytes;
		t.zc += s->zc;
		t.zc_copied += s->zc_copied;
		if (c->t_start && (!t0 || c->t_start < t0))
			t0 = c->t_start;
		if (c->t_end > t1)
			t1 = c->t_end;
		failed += c->failed;
	}
	printf("total: channels=%d frames=%llu drops=%llu bytes=%llu MB/s=%.2f "
	       "zc=%llu zc_copied=%llu failed=%d\n", n, t.frames, t.drops,
	       t.bytes, t1 > t0 ? t.bytes / ((t1 - t0) / 1e6) / 1e6 : 0.0,
	       t.zc, t.zc_copied, failed);
}

/* page size, and the fragments an skb takes (at most MAX_SKB_FRAGS) */
static void limits(void)
{
	FILE *fp = fopen("/proc/sys/net/core/max_skb_frags", "r");
	unsigned int v;

	page_size = sysconf(_SC_PAGESIZE);
	if (fp && fscanf(fp, "%u", &v) == 1 && v >= 3)
		max_frags = v;
	if (fp)
		fclose(fp);
}

static void signals(void)
{
	struct sigaction sa = { .sa_handler = on_signal };

	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);	/* no SA_RESTART: poll returns */
	sigaction(SIGTERM, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
}

int main(int argc, char **argv)
{
	static struct chan ch[MAX_CH];
	struct opts o = {
		.nbufs = 8, .memory = V4L2_MEMORY_MMAP, .rate_mbps = -1,
	};
	struct addrinfo *ai;
	int i, n, first, ret = 1;

	setvbuf(stdout, NULL, _IOLBF, 0);
	first = parse_args(argc, argv, &o);
	limits();
	for (i = 0; i < MAX_CH; i++) {
		ch[i].n = i;
		ch[i].sock = ch[i].lsock = ch[i].node.fd = -1;
	}
	n = o.syn_n;
	if (!n)
		n = open_nodes(ch, first < argc ? argv + first : NULL,
			       argc - first);
	if (n < 0)
		return 1;
	if (o.port + (o.mode == M_RTP ? 2 : 1) * (n - 1) +
	    (o.mode == M_RTP) > 65535)
		bad_arg("port %u: %d channels need ports up to %u", o.port, n,
			o.port + (o.mode == M_RTP ? 2 : 1) * (n - 1) +
			(o.mode == M_RTP));
	lookup(&o, &ai);
	signals();
	for (i = 0; i < n; i++) {
		ch[i].synthetic = !!o.syn_n;
		if (ch[i].synthetic)
			snprintf(ch[i].label, sizeof(ch[i].label),
				 "ch%d synthetic", i);
		else
			snprintf(ch[i].label, sizeof(ch[i].label), "ch%d %s",
				 i, ch[i].node.path);
		if (chan_setup(&ch[i], &o, ai))
			goto out;
	}
	if (o.sdp && sdp_files(ch, n, &o))
		goto out;
	for (i = 0; i < n; i++) {
		if (o.mode == M_LISTEN) {
			ch[i].state = S_LISTEN;
			printf("%s: listening on %s\n", ch[i].label,
			       ch[i].dest);
		} else if (start_stream(&ch[i])) {
			goto out;
		}
	}
	if (!run(ch, n, &o))
		ret = 0;
	summary(ch, n, &o);
	for (i = 0; i < n; i++)
		if (ch[i].failed)
			ret = 1;
out:
	for (i = 0; i < n; i++) {
		if (ch[i].state != S_DONE)
			finish(&ch[i]);
		chan_free(&ch[i]);
	}
	freeaddrinfo(ai);
	return ret;
}
