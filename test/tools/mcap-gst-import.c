// SPDX-License-Identifier: GPL-2.0
/*
 * mcap-gst-import.c - GStreamer v4l2src io-mode=dmabuf-import into a
 *                     downstream pool of DMABUFs with a larger stride
 *
 * Usage: mcap-gst-import [-f FORMAT] [-n FRAMES] [-s STRIDE] [-d DRMNODE]
 *                        /dev/videoN
 *
 * Runs the pipeline
 *   v4l2src device=/dev/videoN io-mode=dmabuf-import num-buffers=FRAMES
 *     ! video/x-raw,format=FORMAT ! fakesink
 * in which the sink's pad answers the ALLOCATION query with this program's
 * buffer pool, the way a display or GPU sink with its own buffers does: each
 * buffer is a vgem dumb buffer exported as a DMABUF (GstDmaBufAllocator)
 * with a GstVideoMeta whose stride is STRIDE bytes (default: the packed
 * line + 256, which the driver must accept). v4l2src then has to S_FMT that
 * bytesperline and queue the DMABUFs (V4L2_MEMORY_DMABUF).
 *
 * Every buffer is filled with the canary 0xa5 when allocated, and the
 * channel is switched to Tagged Lines, so each captured frame is checked
 * byte for byte: every line's tag and payload at the meta's stride, the
 * padding after each line untouched, nothing written past sizeimage. While
 * the first frames arrive, a second file descriptor on the node checks
 * G_FMT (bytesperline == STRIDE) and QUERYBUF (memory == DMABUF, the fds).
 * The buffers reaching the sink must be the pool's: DMABUF memory, the meta
 * stride, strictly increasing frame numbers.
 *
 * DRMNODE is a /dev/dri/card* of the vgem driver (modprobe vgem); default:
 * the first one found. Exit: 0 pass, 1 fail, 77 no vgem node.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <drm.h>
#include <drm_mode.h>
#include <gst/gst.h>
#include <gst/video/video.h>
#include <gst/allocators/gstdmabuf.h>

#include "common.h"

#define DEF_PAD		256

static const struct {
	__u32 fourcc;
	const char *gst;
} gst_names[] = {
	{ V4L2_PIX_FMT_YUYV,   "YUY2" },
	{ V4L2_PIX_FMT_UYVY,   "UYVY" },
	{ V4L2_PIX_FMT_RGB24,  "RGB" },
	{ V4L2_PIX_FMT_BGR24,  "BGR" },
	{ V4L2_PIX_FMT_GREY,   "GRAY8" },
	{ V4L2_PIX_FMT_XBGR32, "BGRx" },
	{ V4L2_PIX_FMT_NV12,   "NV12" },
	{ V4L2_PIX_FMT_NV16,   "NV16" },
};

/* ---- state shared by the pool, the pad probe and main ----------------- */

static struct {
	int drm_fd;
	const struct mc_fmt *f;
	struct mc_node node;		/* observer fd on the capture node */
	unsigned int width, height, stride;
	size_t size;			/* stride * tagged lines */
	GstVideoFormat vfmt;
	GstAllocator *dmabuf_alloc;
	GstBufferPool *pool;

	unsigned int allocated;		/* buffers the pool made */
	int queried;			/* ALLOCATION queries answered */
	unsigned int frames;		/* buffers checked at the sink */
	long long last_frame;
	int observed;			/* G_FMT/QUERYBUF check done */
	struct mc_check chk;
} S = { .drm_fd = -1, .last_frame = -1 };

static int failures;

__attribute__((format(printf, 1, 2)))
static void fail(const char *fmt, ...)
{
	va_list ap;

	failures++;
	if (failures > 20)
		return;
	va_start(ap, fmt);
	printf("FAIL: ");
	vprintf(fmt, ap);
	printf("\n");
	va_end(ap);
}

/* ---- vgem ------------------------------------------------------------- */

static int vgem_open(const char *path, char *found, size_t len)
{
	char name[64], p[300];
	struct drm_version v;
	struct dirent *de;
	DIR *d;
	int fd;

	if (path) {
		snprintf(found, len, "%s", path);
		return open(path, O_RDWR | O_CLOEXEC);
	}
	d = opendir("/dev/dri");
	if (!d)
		return -1;
	while ((de = readdir(d))) {
		if (strncmp(de->d_name, "card", 4))
			continue;
		snprintf(p, sizeof(p), "/dev/dri/%s", de->d_name);
		fd = open(p, O_RDWR | O_CLOEXEC);
		if (fd < 0)
			continue;
		memset(&v, 0, sizeof(v));
		memset(name, 0, sizeof(name));
		v.name = name;
		v.name_len = sizeof(name) - 1;
		if (!ioctl(fd, DRM_IOCTL_VERSION, &v) && !strcmp(name, "vgem")) {
			snprintf(found, len, "%s", p);
			closedir(d);
			return fd;
		}
		close(fd);
	}
	closedir(d);
	return -1;
}

/* a dumb buffer of @size bytes, exported as a DMABUF fd */
static int vgem_dmabuf(size_t size)
{
	struct drm_mode_create_dumb cd = {
		.width = 4096, .bpp = 8,
		.height = (size + 4095) / 4096,
	};
	struct drm_prime_handle ph = { 0 };
	struct drm_gem_close gc = { 0 };

	if (ioctl(S.drm_fd, DRM_IOCTL_MODE_CREATE_DUMB, &cd)) {
		fail("vgem CREATE_DUMB %zu bytes: %s", size, strerror(errno));
		return -1;
	}
	ph.handle = cd.handle;
	ph.flags = DRM_CLOEXEC | DRM_RDWR;
	if (ioctl(S.drm_fd, DRM_IOCTL_PRIME_HANDLE_TO_FD, &ph)) {
		fail("vgem PRIME_HANDLE_TO_FD: %s", strerror(errno));
		ph.fd = -1;
	}
	gc.handle = cd.handle;
	ioctl(S.drm_fd, DRM_IOCTL_GEM_CLOSE, &gc);	/* the DMABUF keeps it */
	return ph.fd;
}

/* ---- the downstream pool ---------------------------------------------- */

typedef struct {
	GstBufferPool parent;
} McapPool;
typedef struct {
	GstBufferPoolClass parent_class;
} McapPoolClass;

G_DEFINE_TYPE(McapPool, mcap_pool, GST_TYPE_BUFFER_POOL)

static const gchar **mcap_pool_get_options(GstBufferPool *pool)
{
	static const gchar *options[] = { GST_BUFFER_POOL_OPTION_VIDEO_META,
					  NULL };

	(void)pool;
	return options;
}

/* Plane layout at S.stride: V4L2 single-planar NV12/NV16 put the chroma
 * plane right after the luma lines, at the same bytesperline. */
static void layout(gsize offset[GST_VIDEO_MAX_PLANES],
		   gint stride[GST_VIDEO_MAX_PLANES], guint *n_planes)
{
	memset(offset, 0, sizeof(gsize) * GST_VIDEO_MAX_PLANES);
	memset(stride, 0, sizeof(gint) * GST_VIDEO_MAX_PLANES);
	stride[0] = S.stride;
	*n_planes = 1;
	if (S.f->nv) {
		stride[1] = S.stride;
		offset[1] = (gsize)S.stride * S.height;
		*n_planes = 2;
	}
}

static GstFlowReturn mcap_pool_alloc_buffer(GstBufferPool *pool,
					    GstBuffer **buffer,
					    GstBufferPoolAcquireParams *params)
{
	gsize offset[GST_VIDEO_MAX_PLANES];
	gint stride[GST_VIDEO_MAX_PLANES];
	GstVideoAlignment align;
	GstVideoMeta *meta;
	GstMemory *mem;
	GstBuffer *buf;
	guint n_planes;
	void *p;
	int fd;

	(void)pool;
	(void)params;
	fd = vgem_dmabuf(S.size);
	if (fd < 0)
		return GST_FLOW_ERROR;
	p = mmap(NULL, S.size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (p == MAP_FAILED) {
		fail("mmap of the vgem DMABUF: %s", strerror(errno));
		close(fd);
		return GST_FLOW_ERROR;
	}
	memset(p, MC_CANARY, S.size);
	munmap(p, S.size);

	mem = gst_dmabuf_allocator_alloc(S.dmabuf_alloc, fd, S.size);
	buf = gst_buffer_new();
	gst_buffer_append_memory(buf, mem);
	layout(offset, stride, &n_planes);
	meta = gst_buffer_add_video_meta_full(buf, GST_VIDEO_FRAME_FLAG_NONE,
					      S.vfmt, S.width, S.height,
					      n_planes, offset, stride);
	/* state the padding, so that the meta's plane sizes are consistent */
	gst_video_alignment_reset(&align);
	align.padding_right = (S.stride - mc_fmt_active(S.f, S.width)) /
			      S.f->bpp;
	if ((S.stride - mc_fmt_active(S.f, S.width)) % S.f->bpp == 0 &&
	    !gst_video_meta_set_alignment(meta, align))
		printf("note: GstVideoMeta alignment not accepted\n");
	S.allocated++;
	*buffer = buf;
	return GST_FLOW_OK;
}

/* whatever size v4l2src configures (its packed sizeimage), ours are larger */
static gboolean mcap_pool_set_config(GstBufferPool *pool, GstStructure *config)
{
	guint size, min, max;
	GstCaps *caps;

	if (!gst_buffer_pool_config_get_params(config, &caps, &size, &min, &max))
		return FALSE;
	gst_buffer_pool_config_set_params(config, caps, S.size, min, max);
	return GST_BUFFER_POOL_CLASS(mcap_pool_parent_class)->set_config(pool,
									 config);
}

static void mcap_pool_class_init(McapPoolClass *klass)
{
	GstBufferPoolClass *pc = GST_BUFFER_POOL_CLASS(klass);

	pc->set_config = mcap_pool_set_config;
	pc->get_options = mcap_pool_get_options;
	pc->alloc_buffer = mcap_pool_alloc_buffer;
}

static void mcap_pool_init(McapPool *self)
{
	(void)self;
}

/* ---- the sink pad: answer ALLOCATION, check every buffer --------------- */

static void observe(void)
{
	struct v4l2_format fmt = { .type = V4L2_BUF_TYPE_VIDEO_CAPTURE };
	unsigned int i, dmabufs = 0;

	S.observed = 1;
	if (ioctl(S.node.fd, VIDIOC_G_FMT, &fmt))
		fail("G_FMT on a second fd: %s", strerror(errno));
	else if (fmt.fmt.pix.bytesperline != S.stride)
		fail("driver bytesperline %u while streaming, wanted %u",
		     fmt.fmt.pix.bytesperline, S.stride);
	else
		printf("driver format while streaming: %ux%u bytesperline %u "
		       "sizeimage %u\n", fmt.fmt.pix.width, fmt.fmt.pix.height,
		       fmt.fmt.pix.bytesperline, fmt.fmt.pix.sizeimage);

	for (i = 0; i < VIDEO_MAX_FRAME; i++) {
		struct v4l2_buffer b = {
			.type = V4L2_BUF_TYPE_VIDEO_CAPTURE, .index = i,
		};

		if (ioctl(S.node.fd, VIDIOC_QUERYBUF, &b))
			break;
		if (b.memory != V4L2_MEMORY_DMABUF)
			fail("buffer %u: memory %u, not DMABUF", i, b.memory);
		else
			dmabufs++;
		if (b.length < S.size)
			fail("buffer %u: length %u < %zu", i, b.length, S.size);
	}
	if (!i)
		fail("QUERYBUF on a second fd found no buffers");
	else
		printf("driver queue: %u buffers, %u of them memory DMABUF\n",
		       i, dmabufs);
}

static void check_buffer(GstBuffer *buf)
{
	struct v4l2_pix_format pix = { 0 };
	GstVideoMeta *meta;
	GstMapInfo map;
	GstMemory *mem;
	__u32 frame;

	if (!S.observed)
		observe();
	if (gst_buffer_n_memory(buf) != 1 ||
	    !gst_is_dmabuf_memory((mem = gst_buffer_peek_memory(buf, 0)))) {
		fail("buffer %u at the sink is not one DMABUF memory", S.frames);
		return;
	}
	if (mem->allocator != S.dmabuf_alloc)
		fail("buffer %u: not from the downstream pool's allocator",
		     S.frames);
	meta = gst_buffer_get_video_meta(buf);
	if (!meta || meta->stride[0] != (gint)S.stride) {
		fail("buffer %u: video meta stride %d, wanted %u", S.frames,
		     meta ? meta->stride[0] : -1, S.stride);
		return;
	}
	if (!gst_buffer_map(buf, &map, GST_MAP_READ)) {
		fail("buffer %u: cannot map", S.frames);
		return;
	}
	pix.width = S.width;
	pix.height = S.height;
	pix.bytesperline = S.stride;
	pix.sizeimage = S.size;
	memcpy(&frame, map.data + 8, 4);
	if ((long long)frame <= S.last_frame)
		fail("buffer %u: frame %u after %lld", S.frames, frame,
		     S.last_frame);
	S.last_frame = frame;
	if (mc_check_frame(&S.chk, map.data, map.size, &pix, S.f,
			   S.node.channel, frame, MC_CANARY))
		failures++;
	gst_buffer_unmap(buf, &map);
	S.frames++;
}

static GstPadProbeReturn probe(GstPad *pad, GstPadProbeInfo *info,
			       gpointer data)
{
	(void)pad;
	(void)data;
	if (info->type & GST_PAD_PROBE_TYPE_BUFFER) {
		check_buffer(GST_PAD_PROBE_INFO_BUFFER(info));
		return GST_PAD_PROBE_OK;
	}
	if (info->type & GST_PAD_PROBE_TYPE_QUERY_DOWNSTREAM) {
		GstQuery *q = GST_PAD_PROBE_INFO_QUERY(info);
		GstCaps *caps;
		gboolean need_pool;

		if (GST_QUERY_TYPE(q) != GST_QUERY_ALLOCATION)
			return GST_PAD_PROBE_OK;
		gst_query_parse_allocation(q, &caps, &need_pool);
		if (!caps)
			return GST_PAD_PROBE_OK;
		gst_query_add_allocation_pool(q, S.pool, S.size, 2, 0);
		gst_query_add_allocation_meta(q, GST_VIDEO_META_API_TYPE, NULL);
		S.queried++;
		printf("ALLOCATION query answered: pool of %zu-byte DMABUFs, "
		       "stride %u\n", S.size, S.stride);
		GST_PAD_PROBE_INFO_DATA(info) = q;
		return GST_PAD_PROBE_HANDLED;
	}
	return GST_PAD_PROBE_OK;
}

/* ---- main ------------------------------------------------------------- */

static void usage(void)
{
	fprintf(stderr, "usage: mcap-gst-import [-f FORMAT] [-n FRAMES] "
		"[-s STRIDE] [-d DRMNODE] /dev/videoN\n");
	exit(2);
}

int main(int argc, char **argv)
{
	struct v4l2_format fmt = { .type = V4L2_BUF_TYPE_VIDEO_CAPTURE };
	const char *drm_path = NULL, *gstname = NULL;
	unsigned int nframes = 30, i;
	char drm_found[300], *desc;
	GstElement *pipe, *sink;
	GError *err = NULL;
	GstMessage *msg;
	GstPad *pad;
	int opt, rc;

	S.f = mc_fmt_parse("YUYV");
	while ((opt = getopt(argc, argv, "f:n:s:d:h")) != -1) {
		switch (opt) {
		case 'f':
			S.f = mc_fmt_parse(optarg);
			for (i = 0; !S.f && i < G_N_ELEMENTS(gst_names); i++)
				if (!strcmp(optarg, gst_names[i].gst))
					S.f = mc_fmt_by_fourcc(gst_names[i].fourcc);
			if (!S.f)
				usage();
			break;
		case 'n':
			nframes = strtoul(optarg, NULL, 0);
			break;
		case 's':
			S.stride = strtoul(optarg, NULL, 0);
			break;
		case 'd':
			drm_path = optarg;
			break;
		default:
			usage();
		}
	}
	if (optind != argc - 1 || !nframes)
		usage();
	setvbuf(stdout, NULL, _IOLBF, 0);
	for (i = 0; i < G_N_ELEMENTS(gst_names); i++)
		if (gst_names[i].fourcc == S.f->fourcc)
			gstname = gst_names[i].gst;

	S.drm_fd = vgem_open(drm_path, drm_found, sizeof(drm_found));
	if (S.drm_fd < 0) {
		printf("SKIP: no vgem DRM node (modprobe vgem)\n");
		return MC_EXIT_SKIP;
	}
	if (mc_node_open(&S.node, argv[optind]) != 0) {
		printf("FAIL: %s is not a multicap node\n", argv[optind]);
		return MC_EXIT_FAIL;
	}
	if (mc_set_menu_ctrl(S.node.fd, V4L2_CID_TEST_PATTERN, MC_PATTERN) < 0) {
		printf("FAIL: cannot select %s\n", MC_PATTERN);
		return MC_EXIT_FAIL;
	}
	if (ioctl(S.node.fd, VIDIOC_G_FMT, &fmt)) {
		printf("FAIL: G_FMT: %s\n", strerror(errno));
		return MC_EXIT_FAIL;
	}
	S.width = fmt.fmt.pix.width;
	S.height = fmt.fmt.pix.height;
	if (!S.stride)
		S.stride = mc_fmt_active(S.f, S.width) + DEF_PAD;
	if (S.stride < mc_fmt_active(S.f, S.width)) {
		printf("FAIL: stride %u below the packed line\n", S.stride);
		return MC_EXIT_FAIL;
	}
	S.size = (size_t)S.stride * mc_fmt_lines(S.f, S.height);
	S.chk.label = S.node.name;
	S.chk.max_report = 10;

	gst_init(&argc, &argv);
	S.vfmt = gst_video_format_from_string(gstname);
	S.dmabuf_alloc = gst_dmabuf_allocator_new();
	S.pool = g_object_new(mcap_pool_get_type(), NULL);
	gst_object_ref_sink(S.pool);

	desc = g_strdup_printf("v4l2src name=src device=%s io-mode=dmabuf-import"
			       " num-buffers=%u ! video/x-raw,format=%s,width=%u,"
			       "height=%u ! fakesink name=sink sync=false",
			       argv[optind], nframes, gstname, S.width,
			       S.height);
	printf("%s: %s %ux%u, packed line %u, downstream stride %u, "
	       "DMABUFs from %s\n", argv[optind], gstname, S.width, S.height,
	       mc_fmt_active(S.f, S.width), S.stride, drm_found);
	printf("pipeline: %s\n", desc);
	pipe = gst_parse_launch(desc, &err);
	g_free(desc);
	if (!pipe) {
		printf("FAIL: %s\n", err->message);
		return MC_EXIT_FAIL;
	}
	sink = gst_bin_get_by_name(GST_BIN(pipe), "sink");
	pad = gst_element_get_static_pad(sink, "sink");
	gst_pad_add_probe(pad, GST_PAD_PROBE_TYPE_BUFFER |
			  GST_PAD_PROBE_TYPE_QUERY_DOWNSTREAM, probe, NULL,
			  NULL);
	gst_object_unref(pad);
	gst_object_unref(sink);

	gst_element_set_state(pipe, GST_STATE_PLAYING);
	msg = gst_bus_timed_pop_filtered(GST_ELEMENT_BUS(pipe),
					 120 * GST_SECOND,
					 GST_MESSAGE_EOS | GST_MESSAGE_ERROR);
	if (!msg) {
		fail("no EOS within 120 s (%u frames)", S.frames);
	} else if (GST_MESSAGE_TYPE(msg) == GST_MESSAGE_ERROR) {
		gchar *dbg = NULL;

		gst_message_parse_error(msg, &err, &dbg);
		fail("pipeline error from %s: %s (%s)",
		     GST_OBJECT_NAME(GST_MESSAGE_SRC(msg)), err->message,
		     dbg ? dbg : "");
		g_free(dbg);
	}
	if (msg)
		gst_message_unref(msg);
	gst_element_set_state(pipe, GST_STATE_NULL);
	gst_object_unref(pipe);

	if (!S.queried)
		fail("v4l2src never sent the ALLOCATION query");
	if (!S.allocated)
		fail("the downstream pool allocated no buffer");
	if (S.frames != nframes)
		fail("%u frames reached the sink, wanted %u", S.frames, nframes);
	if (S.chk.errors)
		fail("%lu errors in %lu checked lines", S.chk.errors,
		     S.chk.lines);
	mc_set_menu_ctrl(S.node.fd, V4L2_CID_TEST_PATTERN, "Disabled");
	printf("%u frames, %lu lines checked (tags, payload, padding at stride"
	       " %u), %u DMABUFs allocated downstream\n", S.frames,
	       S.chk.lines, S.stride, S.allocated);
	gst_object_unref(S.pool);
	gst_object_unref(S.dmabuf_alloc);
	mc_node_close(&S.node);
	close(S.drm_fd);
	rc = failures ? MC_EXIT_FAIL : MC_EXIT_PASS;
	printf("%s\n", rc ? "FAIL" : "PASS");
	return rc;
}
