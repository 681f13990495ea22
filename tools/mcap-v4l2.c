// SPDX-License-Identifier: GPL-2.0
/*
 * mcap-v4l2.c - V4L2 helpers shared by the multicap tools and test tools
 *
 * See mcap-v4l2.h for the interface.
 */
#define _GNU_SOURCE
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <glob.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <linux/dma-buf.h>
#include <linux/dma-heap.h>

#include "mcap-v4l2.h"

#define CAP_TYPE	V4L2_BUF_TYPE_VIDEO_CAPTURE

const struct mc_fmt mc_formats[] = {
	{ V4L2_PIX_FMT_YUYV,   "YUYV", "YUYV",   2, 0 },
	{ V4L2_PIX_FMT_UYVY,   "UYVY", "UYVY",   2, 0 },
	{ V4L2_PIX_FMT_RGB24,  "RGB3", "RGB24",  3, 0 },
	{ V4L2_PIX_FMT_BGR24,  "BGR3", "BGR24",  3, 0 },
	{ V4L2_PIX_FMT_GREY,   "GREY", "GREY",   1, 0 },
	{ V4L2_PIX_FMT_XBGR32, "XR24", "XBGR32", 4, 0 },
	{ V4L2_PIX_FMT_NV12,   "NV12", "NV12",   1, 12 },
	{ V4L2_PIX_FMT_NV16,   "NV16", "NV16",   1, 16 },
};
const unsigned int mc_nformats = sizeof(mc_formats) / sizeof(mc_formats[0]);

const struct mc_fmt *mc_fmt_by_fourcc(__u32 fourcc)
{
	unsigned int i;

	for (i = 0; i < mc_nformats; i++)
		if (mc_formats[i].fourcc == fourcc)
			return &mc_formats[i];
	return NULL;
}

const struct mc_fmt *mc_fmt_parse(const char *s)
{
	unsigned int i;

	for (i = 0; i < mc_nformats; i++)
		if (!strcasecmp(s, mc_formats[i].name) ||
		    !strcasecmp(s, mc_formats[i].alias))
			return &mc_formats[i];
	return NULL;
}

const char *mc_fourcc_str(__u32 fourcc, char buf[5])
{
	int i;

	for (i = 0; i < 4; i++) {
		buf[i] = (fourcc >> (8 * i)) & 0xff;
		if (!isprint((unsigned char)buf[i]))
			buf[i] = '?';
	}
	buf[4] = '\0';
	return buf;
}

unsigned int mc_fmt_active(const struct mc_fmt *f, unsigned int width)
{
	return width * f->bpp;
}

unsigned int mc_fmt_lines(const struct mc_fmt *f, unsigned int height)
{
	if (f->nv == 12)
		return height + height / 2;
	if (f->nv == 16)
		return height * 2;
	return height;
}

size_t mc_fmt_sizeimage(const struct mc_fmt *f, unsigned int bpl,
			unsigned int height)
{
	size_t s = (size_t)bpl * height;

	if (f->nv == 12)
		return s * 3 / 2;
	if (f->nv == 16)
		return s * 2;
	return s;
}

/* ---- nodes ------------------------------------------------------------ */

static int sysfs_read(const char *path, char *buf, size_t len)
{
	FILE *fp = fopen(path, "r");
	int ok;

	if (!fp)
		return -1;
	ok = fgets(buf, len, fp) != NULL;
	fclose(fp);
	if (!ok)
		return -1;
	buf[strcspn(buf, "\n")] = '\0';
	return 0;
}

static void sysfs_link_base(const char *path, char *buf, size_t len)
{
	char tmp[512];
	ssize_t n = readlink(path, tmp, sizeof(tmp) - 1);

	buf[0] = '\0';
	if (n <= 0)
		return;
	tmp[n] = '\0';
	snprintf(buf, len, "%s", basename(tmp));
}

static __u32 node_caps(const struct v4l2_capability *cap)
{
	if (cap->capabilities & V4L2_CAP_DEVICE_CAPS)
		return cap->device_caps;
	return cap->capabilities;
}

int mc_node_open(struct mc_node *n, const char *path)
{
	char sys[128], val[64];
	struct stat st;
	__u32 caps;

	memset(n, 0, sizeof(*n));
	n->channel = -1;
	snprintf(n->path, sizeof(n->path), "%s", path);
	n->fd = open(path, O_RDWR | O_NONBLOCK | O_CLOEXEC);
	if (n->fd < 0)
		return -1;
	if (ioctl(n->fd, VIDIOC_QUERYCAP, &n->cap) || fstat(n->fd, &st)) {
		mc_node_close(n);
		return -1;
	}
	caps = node_caps(&n->cap);
	if (strcmp((char *)n->cap.driver, MC_DRIVER) ||
	    !(caps & V4L2_CAP_VIDEO_CAPTURE) || !(caps & V4L2_CAP_STREAMING)) {
		mc_node_close(n);
		return 1;
	}
	snprintf(sys, sizeof(sys), "/sys/dev/char/%u:%u",
		 major(st.st_rdev), minor(st.st_rdev));
	sysfs_link_base(sys, n->name, sizeof(n->name));
	if (!n->name[0])
		snprintf(n->name, sizeof(n->name), "%s", basename(n->path));
	snprintf(sys, sizeof(sys), "/sys/dev/char/%u:%u/device",
		 major(st.st_rdev), minor(st.st_rdev));
	sysfs_link_base(sys, n->parent, sizeof(n->parent));
	snprintf(sys, sizeof(sys), "/sys/dev/char/%u:%u/index",
		 major(st.st_rdev), minor(st.st_rdev));
	if (!sysfs_read(sys, val, sizeof(val)))
		n->channel = atoi(val);
	else
		printf("%s: warning: no sysfs index, channel not checked\n",
		       n->path);
	return 0;
}

void mc_node_close(struct mc_node *n)
{
	if (n->fd >= 0)
		close(n->fd);
	n->fd = -1;
}

static int video_filter(const struct dirent *d)
{
	const char *p = d->d_name;

	if (strncmp(p, "video", 5) || !p[5])
		return 0;
	for (p += 5; *p; p++)
		if (!isdigit((unsigned char)*p))
			return 0;
	return 1;
}

static int video_cmp(const struct dirent **a, const struct dirent **b)
{
	return atoi((*a)->d_name + 5) - atoi((*b)->d_name + 5);
}

int mc_nodes_find(struct mc_node *nodes, int max, char **paths, int npaths)
{
	struct dirent **list;
	char path[300];
	int i, n, cnt = 0, r;

	for (i = 0; i < npaths && cnt < max; i++) {
		r = mc_node_open(&nodes[cnt], paths[i]);
		if (r) {
			fprintf(stderr, "%s: %s\n", paths[i],
				r < 0 ? strerror(errno) :
				"not a multicap capture node");
			while (cnt > 0)
				mc_node_close(&nodes[--cnt]);
			return -1;
		}
		cnt++;
	}
	if (npaths)
		return cnt;
	n = scandir("/dev", &list, video_filter, video_cmp);
	if (n < 0)
		return 0;
	for (i = 0; i < n; i++) {
		snprintf(path, sizeof(path), "/dev/%s", list[i]->d_name);
		if (cnt < max && !mc_node_open(&nodes[cnt], path))
			cnt++;
		free(list[i]);
	}
	free(list);
	return cnt;
}

int mc_stats_path(const struct mc_node *n, char *buf, size_t len)
{
	glob_t g;
	int ret = -1;

	if (n->channel < 0)
		return -1;
	snprintf(buf, len, "/sys/kernel/debug/multicap/%s/ch%d/stats",
		 n->parent, n->channel);
	if (n->parent[0] && !access(buf, R_OK))
		return 0;
	/* fall back to the only card present */
	snprintf(buf, len, "/sys/kernel/debug/multicap/*/ch%d/stats",
		 n->channel);
	if (!glob(buf, 0, NULL, &g) && g.gl_pathc == 1) {
		snprintf(buf, len, "%s", g.gl_pathv[0]);
		ret = 0;
	}
	globfree(&g);
	return ret;
}

int mc_read_stat(const char *path, const char *key, unsigned long long *val)
{
	char line[256], k[128];
	unsigned long long v;
	FILE *fp = fopen(path, "r");
	int ret = -1;

	if (!fp)
		return -1;
	while (ret && fgets(line, sizeof(line), fp))
		if (sscanf(line, " %127[^:]: %llu", k, &v) == 2 &&
		    !strcmp(k, key)) {
			*val = v;
			ret = 0;
		}
	fclose(fp);
	return ret;
}

/* ---- controls and formats -------------------------------------------- */

int mc_set_menu_ctrl(int fd, __u32 id, const char *item)
{
	struct v4l2_queryctrl qc = { .id = id };
	struct v4l2_querymenu qm;
	struct v4l2_control ctrl = { .id = id };
	__s32 i;

	if (ioctl(fd, VIDIOC_QUERYCTRL, &qc) || qc.type != V4L2_CTRL_TYPE_MENU)
		return -1;
	for (i = qc.minimum; i <= qc.maximum; i++) {
		memset(&qm, 0, sizeof(qm));
		qm.id = id;
		qm.index = i;
		if (ioctl(fd, VIDIOC_QUERYMENU, &qm))
			continue;
		if (strcmp((char *)qm.name, item))
			continue;
		ctrl.value = i;
		if (ioctl(fd, VIDIOC_S_CTRL, &ctrl))
			return -1;
		ctrl.value = -1;
		if (ioctl(fd, VIDIOC_G_CTRL, &ctrl) || ctrl.value != i)
			return -1;
		return i;
	}
	return -1;
}

int mc_set_format(int fd, const char *label, const struct mc_fmt *f,
		  unsigned int pad, struct v4l2_pix_format *pix)
{
	struct v4l2_format fmt = { .type = CAP_TYPE };
	unsigned int w, h, bpl;
	size_t size;
	char a[5], b[5];

	if (ioctl(fd, VIDIOC_G_FMT, &fmt)) {
		fprintf(stderr, "%s: G_FMT: %s\n", label, strerror(errno));
		return -1;
	}
	w = fmt.fmt.pix.width;
	h = fmt.fmt.pix.height;
	bpl = mc_fmt_active(f, w) + pad;
	size = mc_fmt_sizeimage(f, bpl, h);
	memset(&fmt.fmt, 0, sizeof(fmt.fmt));
	fmt.fmt.pix.width = w;
	fmt.fmt.pix.height = h;
	fmt.fmt.pix.pixelformat = f->fourcc;
	fmt.fmt.pix.field = V4L2_FIELD_NONE;
	fmt.fmt.pix.bytesperline = bpl;
	if (ioctl(fd, VIDIOC_S_FMT, &fmt)) {
		fprintf(stderr, "%s: S_FMT %s: %s\n", label, f->name,
			strerror(errno));
		return -1;
	}
	memset(&fmt.fmt, 0, sizeof(fmt.fmt));
	if (ioctl(fd, VIDIOC_G_FMT, &fmt)) {
		fprintf(stderr, "%s: G_FMT: %s\n", label, strerror(errno));
		return -1;
	}
	*pix = fmt.fmt.pix;
	if (pix->pixelformat != f->fourcc || pix->width != w ||
	    pix->height != h || pix->bytesperline != bpl ||
	    pix->sizeimage != size || pix->field != V4L2_FIELD_NONE) {
		fprintf(stderr, "%s: G_FMT after S_FMT: expected %s %ux%u "
			"bpl %u size %zu field NONE, got %s %ux%u bpl %u "
			"size %u field %u\n", label,
			mc_fourcc_str(f->fourcc, a), w, h, bpl, size,
			mc_fourcc_str(pix->pixelformat, b), pix->width,
			pix->height, pix->bytesperline, pix->sizeimage,
			pix->field);
		return -1;
	}
	if (mc_fmt_active(f, w) < MC_TAG_LEN) {
		fprintf(stderr, "%s: width %u too small for line tags\n",
			label, w);
		return -1;
	}
	return 0;
}

double mc_frame_period_ns(int fd)
{
	struct v4l2_streamparm p = { .type = V4L2_BUF_TYPE_VIDEO_CAPTURE };
	struct v4l2_fract *t = &p.parm.capture.timeperframe;

	if (ioctl(fd, VIDIOC_G_PARM, &p) || !t->numerator || !t->denominator)
		return 0;
	return 1e9 * t->numerator / t->denominator;
}

int mc_stream(int fd, int on)
{
	int type = CAP_TYPE;

	return ioctl(fd, on ? VIDIOC_STREAMON : VIDIOC_STREAMOFF, &type);
}

/* ---- DMABUF sources --------------------------------------------------- */

static int exporter_open(struct mc_dmabuf_src *s, const char *path,
			 const struct mc_node *busy, int nbusy)
{
	struct v4l2_capability cap;
	struct stat st;
	__u32 caps;
	int fd, i;

	fd = open(path, O_RDWR | O_CLOEXEC);
	if (fd < 0)
		return -1;
	if (ioctl(fd, VIDIOC_QUERYCAP, &cap) || fstat(fd, &st))
		goto fail;
	for (i = 0; i < nbusy; i++) {
		struct stat bs;

		if (!fstat(busy[i].fd, &bs) && bs.st_rdev == st.st_rdev)
			goto fail;
	}
	caps = node_caps(&cap);
	if (!(caps & V4L2_CAP_VIDEO_CAPTURE) || !(caps & V4L2_CAP_STREAMING))
		goto fail;
	s->exp_fd = fd;
	snprintf(s->path, sizeof(s->path), "%s (%s)", path, cap.driver);
	return 0;
fail:
	close(fd);
	return -1;
}

int mc_dmabuf_src_open(struct mc_dmabuf_src *s, const char *path,
		       const struct mc_node *busy, int nbusy)
{
	static const char * const drivers[] = { MC_DRIVER, "vivid" };
	struct v4l2_capability cap;
	char p[64];
	unsigned int d;
	int i, fd;

	s->heap_fd = -1;
	s->exp_fd = -1;
	if (!path && !access("/dev/dma_heap/system", R_OK))
		path = "/dev/dma_heap/system";
	if (path && !strncmp(path, "/dev/dma_heap/", 14)) {
		s->heap_fd = open(path, O_RDONLY | O_CLOEXEC);
		snprintf(s->path, sizeof(s->path), "%s", path);
		return s->heap_fd < 0 ? -1 : 0;
	}
	if (path)
		return exporter_open(s, path, busy, nbusy);
	for (d = 0; d < 2; d++) {
		for (i = 0; i < 256; i++) {
			snprintf(p, sizeof(p), "/dev/video%d", i);
			fd = open(p, O_RDWR | O_NONBLOCK | O_CLOEXEC);
			if (fd < 0)
				continue;
			if (ioctl(fd, VIDIOC_QUERYCAP, &cap) ||
			    strcmp((char *)cap.driver, drivers[d])) {
				close(fd);
				continue;
			}
			close(fd);
			if (!exporter_open(s, p, busy, nbusy))
				return 0;
		}
	}
	return -1;
}

int mc_dmabuf_alloc(struct mc_dmabuf_src *s, size_t size, size_t *real)
{
	struct dma_heap_allocation_data hd = {
		.len = size, .fd_flags = O_RDWR | O_CLOEXEC,
	};
	struct v4l2_create_buffers cb = {
		.count = 1, .memory = V4L2_MEMORY_MMAP,
	};
	struct v4l2_exportbuffer eb = {
		.type = CAP_TYPE, .flags = O_RDWR | O_CLOEXEC,
	};
	off_t end;

	*real = size;
	if (s->heap_fd >= 0) {
		if (ioctl(s->heap_fd, DMA_HEAP_IOCTL_ALLOC, &hd))
			return -1;
		return hd.fd;
	}
	cb.format.type = CAP_TYPE;
	if (ioctl(s->exp_fd, VIDIOC_G_FMT, &cb.format))
		return -1;
	/* The exporter needs at least its own frame size. */
	if (cb.format.fmt.pix.sizeimage < size)
		cb.format.fmt.pix.sizeimage = size;
	/* An exporter may grant more than one (vivid: its minimum of 2). */
	if (ioctl(s->exp_fd, VIDIOC_CREATE_BUFS, &cb) || cb.count < 1)
		return -1;
	eb.index = cb.index;
	if (ioctl(s->exp_fd, VIDIOC_EXPBUF, &eb))
		return -1;
	end = lseek(eb.fd, 0, SEEK_END);
	if (end > 0 && (size_t)end >= size)
		*real = end;
	return eb.fd;
}

void mc_dmabuf_src_reset(struct mc_dmabuf_src *s)
{
	struct v4l2_requestbuffers rb = {
		.type = CAP_TYPE, .memory = V4L2_MEMORY_MMAP,
	};

	if (s->exp_fd >= 0)
		ioctl(s->exp_fd, VIDIOC_REQBUFS, &rb);
}

void mc_dmabuf_src_close(struct mc_dmabuf_src *s)
{
	mc_dmabuf_src_reset(s);
	if (s->exp_fd >= 0)
		close(s->exp_fd);
	if (s->heap_fd >= 0)
		close(s->heap_fd);
	s->exp_fd = -1;
	s->heap_fd = -1;
}

/* ---- buffers ---------------------------------------------------------- */

static void dmabuf_sync(int fd, __u64 flags)
{
	struct dma_buf_sync sync = { .flags = flags };

	while (ioctl(fd, DMA_BUF_IOCTL_SYNC, &sync) && errno == EINTR)
		;
}

int mc_queue_init(struct mc_queue *q, int fd, __u32 memory,
		  unsigned int count, const struct v4l2_pix_format *pix,
		  const struct mc_fmt *f, struct mc_dmabuf_src *src)
{
	struct v4l2_requestbuffers rb = {
		.type = CAP_TYPE, .memory = memory,
	};
	struct v4l2_buffer b;
	size_t pg = sysconf(_SC_PAGESIZE), size;
	unsigned int i;
	__u32 want = V4L2_BUF_CAP_SUPPORTS_DMABUF;

	if (memory == V4L2_MEMORY_MMAP)
		want = V4L2_BUF_CAP_SUPPORTS_MMAP;
	else if (memory == V4L2_MEMORY_USERPTR)
		want = V4L2_BUF_CAP_SUPPORTS_USERPTR;
	memset(q, 0, sizeof(*q));
	q->fd = fd;
	q->memory = memory;
	q->pix = *pix;
	q->f = f;
	for (i = 0; i < MC_MAX_BUFS; i++)
		q->buf[i].dmafd = -1;
	if (ioctl(fd, VIDIOC_REQBUFS, &rb))
		return errno == EINVAL ? -2 : -1;
	if (rb.capabilities && !(rb.capabilities & want))
		return -2;
	rb.count = count;
	if (ioctl(fd, VIDIOC_REQBUFS, &rb))
		return -1;
	q->count = rb.count;
	if (rb.count < 2 || rb.count > MC_MAX_BUFS) {
		fprintf(stderr, "REQBUFS: got %u buffers\n", rb.count);
		mc_queue_free(q);
		return -1;
	}
	/* user memory: page aligned plus at least a page of slack */
	size = (pix->sizeimage + 2 * pg - 1) / pg * pg;
	for (i = 0; i < q->count; i++) {
		struct mc_buf *mb = &q->buf[i];
		void *m = MAP_FAILED;

		switch (memory) {
		case V4L2_MEMORY_MMAP:
			memset(&b, 0, sizeof(b));
			b.type = CAP_TYPE;
			b.memory = memory;
			b.index = i;
			if (ioctl(fd, VIDIOC_QUERYBUF, &b))
				break;
			mb->len = b.length;
			m = mmap(NULL, b.length, PROT_READ | PROT_WRITE,
				 MAP_SHARED, fd, b.m.offset);
			break;
		case V4L2_MEMORY_USERPTR:
			mb->len = size;
			if (posix_memalign(&m, pg, size))
				m = MAP_FAILED;
			break;
		case V4L2_MEMORY_DMABUF:
			mb->dmafd = mc_dmabuf_alloc(src, size, &mb->len);
			if (mb->dmafd < 0)
				break;
			m = mmap(NULL, mb->len, PROT_READ | PROT_WRITE,
				 MAP_SHARED, mb->dmafd, 0);
			break;
		}
		if (m == MAP_FAILED) {
			fprintf(stderr, "buffer %u: allocation/mapping failed: "
				"%s\n", i, strerror(errno));
			mc_queue_free(q);
			return -1;
		}
		mb->mem = m;
		if (mb->len < pix->sizeimage) {
			fprintf(stderr, "buffer %u: length %zu < sizeimage "
				"%u\n", i, mb->len, pix->sizeimage);
			mc_queue_free(q);
			return -1;
		}
	}
	return 0;
}

void mc_queue_free(struct mc_queue *q)
{
	struct v4l2_requestbuffers rb = {
		.type = CAP_TYPE, .memory = q->memory,
	};
	unsigned int i;

	for (i = 0; i < q->count; i++)
		if (q->buf[i].mem && q->memory != V4L2_MEMORY_USERPTR)
			munmap(q->buf[i].mem, q->buf[i].len);
	ioctl(q->fd, VIDIOC_REQBUFS, &rb);
	for (i = 0; i < q->count; i++) {
		if (q->memory == V4L2_MEMORY_USERPTR)
			free(q->buf[i].mem);
		if (q->buf[i].dmafd >= 0)
			close(q->buf[i].dmafd);
		q->buf[i].mem = NULL;
		q->buf[i].dmafd = -1;
	}
	q->count = 0;
}

static void fill_canary(struct mc_queue *q, struct mc_buf *mb, int c)
{
	unsigned int bpl = q->pix.bytesperline;
	unsigned int act = mc_fmt_active(q->f, q->pix.width);
	unsigned int n = mc_fmt_lines(q->f, q->pix.height), l;

	if (mb->dmafd >= 0)
		dmabuf_sync(mb->dmafd, DMA_BUF_SYNC_START | DMA_BUF_SYNC_RW);
	if (q->memory == V4L2_MEMORY_USERPTR) {
		memset(mb->mem, c, mb->len);
	} else {
		if (bpl > act && (size_t)n * bpl <= mb->len)
			for (l = 0; l < n; l++)
				memset(mb->mem + (size_t)l * bpl + act, c,
				       bpl - act);
		if (mb->len > q->pix.sizeimage)
			memset(mb->mem + q->pix.sizeimage, c,
			       mb->len - q->pix.sizeimage);
	}
	if (mb->dmafd >= 0)
		dmabuf_sync(mb->dmafd, DMA_BUF_SYNC_END | DMA_BUF_SYNC_RW);
}

int mc_queue_buf(struct mc_queue *q, unsigned int idx, int canary)
{
	struct mc_buf *mb = &q->buf[idx];
	struct v4l2_buffer b = {
		.index = idx, .type = CAP_TYPE, .memory = q->memory,
	};

	if (canary >= 0)
		fill_canary(q, mb, canary);
	if (q->memory == V4L2_MEMORY_USERPTR) {
		b.m.userptr = (unsigned long)mb->mem;
		b.length = mb->len;
	} else if (q->memory == V4L2_MEMORY_DMABUF) {
		b.m.fd = mb->dmafd;
		b.length = mb->len;
	}
	if (ioctl(q->fd, VIDIOC_QBUF, &b)) {
		fprintf(stderr, "QBUF %u: %s%s\n", idx, strerror(errno),
			q->memory == V4L2_MEMORY_MMAP ? "" :
			" (memory not usable by the driver? see -e)");
		return -1;
	}
	mb->queued = 1;
	clock_gettime(CLOCK_MONOTONIC, &mb->qtime);
	return 0;
}

int mc_dequeue_buf(struct mc_queue *q, struct v4l2_buffer *b)
{
	memset(b, 0, sizeof(*b));
	b->type = CAP_TYPE;
	b->memory = q->memory;
	if (ioctl(q->fd, VIDIOC_DQBUF, b)) {
		if (errno == EAGAIN)
			return 1;
		fprintf(stderr, "DQBUF: %s\n", strerror(errno));
		return -1;
	}
	if (b->index >= q->count) {
		fprintf(stderr, "DQBUF: bad index %u\n", b->index);
		return -1;
	}
	q->buf[b->index].queued = 0;
	return 0;
}

void mc_buf_cpu(struct mc_queue *q, unsigned int idx, int start)
{
	if (q->buf[idx].dmafd >= 0)
		dmabuf_sync(q->buf[idx].dmafd, DMA_BUF_SYNC_READ |
			    (start ? DMA_BUF_SYNC_START : DMA_BUF_SYNC_END));
}

/* ---- time ------------------------------------------------------------- */

long long mc_ts_us(const struct timespec *ts)
{
	return ts->tv_sec * 1000000LL + ts->tv_nsec / 1000;
}

long long mc_tv_us(const struct timeval *tv)
{
	return tv->tv_sec * 1000000LL + tv->tv_usec;
}

long long mc_now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return mc_ts_us(&ts);
}
