// SPDX-License-Identifier: GPL-2.0
/*
 * mcap-mkv.c - the Matroska layout mcap-record writes, frame payloads aligned
 *
 * See mcap-mkv.h. Every element that changes at the close has a fixed size
 * (8-byte sizes and numbers) or a Void of its size in its place, so the
 * head region never moves and can be rewritten in place.
 */
#include <string.h>

#include "mcap-mkv.h"

/* EBML and Matroska element IDs, as written (big-endian, marker bits) */
#define ID_EBML			0x1a45dfa3
#define ID_EBML_VERSION		0x4286
#define ID_EBML_READ_VERSION	0x42f7
#define ID_EBML_MAX_ID_LEN	0x42f2
#define ID_EBML_MAX_SIZE_LEN	0x42f3
#define ID_DOCTYPE		0x4282
#define ID_DOCTYPE_VERSION	0x4287
#define ID_DOCTYPE_READ_VERSION	0x4285
#define ID_VOID			0xec
#define ID_SEGMENT		0x18538067
#define ID_SEEKHEAD		0x114d9b74
#define ID_SEEK			0x4dbb
#define ID_SEEK_ID		0x53ab
#define ID_SEEK_POS		0x53ac
#define ID_INFO			0x1549a966
#define ID_TIMESTAMP_SCALE	0x2ad7b1
#define ID_MUXING_APP		0x4d80
#define ID_WRITING_APP		0x5741
#define ID_DURATION		0x4489
#define ID_TRACKS		0x1654ae6b
#define ID_TRACK_ENTRY		0xae
#define ID_TRACK_NUMBER		0xd7
#define ID_TRACK_UID		0x73c5
#define ID_TRACK_TYPE		0x83
#define ID_FLAG_LACING		0x9c
#define ID_CODEC_ID		0x86
#define ID_DEFAULT_DURATION	0x23e383
#define ID_VIDEO		0xe0
#define ID_FLAG_INTERLACED	0x9a
#define ID_PIXEL_WIDTH		0xb0
#define ID_PIXEL_HEIGHT		0xba
#define ID_COLOUR_SPACE		0x2eb524
#define ID_CLUSTER		0x1f43b675
#define ID_TIMESTAMP		0xe7
#define ID_SIMPLE_BLOCK		0xa3
#define ID_CUES			0x1c53bb6b
#define ID_CUE_POINT		0xbb
#define ID_CUE_TIME		0xb3
#define ID_CUE_TRACK_POS	0xb7
#define ID_CUE_TRACK		0xf7
#define ID_CUE_CLUSTER_POS	0xf1

#define APP			"mcap-record"
#define SIZE_UNKNOWN		0x00ffffffffffffffULL
#define SEEK_LEN		28	/* one Seek entry, as seek_put() writes it */
#define DURATION_LEN		11	/* the Duration element */
#define CUE_LEN			27	/* one CuePoint, as mkv_cues_build() writes it */
#define CUES_HDR		12

/* A write cursor; the caller's buffer is always large enough. */
struct ebml {
	unsigned char *p;
	size_t n;
};

static void put_be(struct ebml *e, unsigned long long v, unsigned int len)
{
	while (len--)
		e->p[e->n++] = v >> (8 * len);
}

static void put_id(struct ebml *e, unsigned int id)
{
	unsigned int len = id > 0xffffff ? 4 : id > 0xffff ? 3 : id > 0xff ? 2 : 1;

	put_be(e, id, len);
}

/* an 8-byte size: marker 0x01, then 56 bits */
static void put_size8(struct ebml *e, unsigned long long v)
{
	e->p[e->n++] = 0x01;
	put_be(e, v, 7);
}

/* a 1-byte size, for elements shorter than 127 bytes */
static void put_size1(struct ebml *e, unsigned int v)
{
	e->p[e->n++] = 0x80 | v;
}

static void put_uint(struct ebml *e, unsigned int id, unsigned long long v)
{
	unsigned int len = 1;

	while (len < 8 && v >> (8 * len))
		len++;
	put_id(e, id);
	put_size1(e, len);
	put_be(e, v, len);
}

/* an unsigned number always 8 bytes long, so it can be patched in place */
static void put_uint8(struct ebml *e, unsigned int id, unsigned long long v)
{
	put_id(e, id);
	put_size1(e, 8);
	put_be(e, v, 8);
}

static void put_bin(struct ebml *e, unsigned int id, const void *d,
		    size_t len)
{
	put_id(e, id);
	put_size1(e, len);
	memcpy(e->p + e->n, d, len);
	e->n += len;
}

static void put_float(struct ebml *e, unsigned int id, double v)
{
	unsigned long long u;

	memcpy(&u, &v, sizeof(u));
	put_id(e, id);
	put_size1(e, 8);
	put_be(e, u, 8);
}

/* a master element of unknown length yet: returns where its data starts */
static size_t master_open(struct ebml *e, unsigned int id)
{
	put_id(e, id);
	put_size8(e, 0);
	return e->n;
}

static void master_close(struct ebml *e, size_t start)
{
	struct ebml s = { e->p, start - 8 };

	put_size8(&s, e->n - start);
}

void mkv_void(unsigned char *p, size_t len)
{
	struct ebml e = { p, 0 };

	put_id(&e, ID_VOID);
	if (len - 2 < 127)
		put_size1(&e, len - 2);
	else
		put_size8(&e, len - 9);
}

/* a Void of @len bytes, zero filled */
static void put_void(struct ebml *e, size_t len)
{
	memset(e->p + e->n, 0, len);
	mkv_void(e->p + e->n, len);
	e->n += len;
}

static void ebml_header(struct ebml *e)
{
	size_t m = master_open(e, ID_EBML);

	put_uint(e, ID_EBML_VERSION, 1);
	put_uint(e, ID_EBML_READ_VERSION, 1);
	put_uint(e, ID_EBML_MAX_ID_LEN, 4);
	put_uint(e, ID_EBML_MAX_SIZE_LEN, 8);
	put_bin(e, ID_DOCTYPE, "matroska", 8);
	put_uint(e, ID_DOCTYPE_VERSION, 4);
	put_uint(e, ID_DOCTYPE_READ_VERSION, 2);
	master_close(e, m);
}

size_t mkv_data_start(void)
{
	unsigned char buf[128];
	struct ebml e = { buf, 0 };

	ebml_header(&e);
	return e.n + 4 + 8;
}

static void seek_put(struct ebml *e, unsigned int id, unsigned long long pos)
{
	unsigned char b[4] = { id >> 24, id >> 16, id >> 8, id };
	size_t m = master_open(e, ID_SEEK);

	put_bin(e, ID_SEEK_ID, b, 4);
	put_uint8(e, ID_SEEK_POS, pos);
	master_close(e, m);
}

static void info_put(struct ebml *e, const struct mkv_final *fin)
{
	size_t m = master_open(e, ID_INFO);

	put_uint(e, ID_TIMESTAMP_SCALE, MKV_SCALE_NS);
	put_bin(e, ID_MUXING_APP, APP, strlen(APP));
	put_bin(e, ID_WRITING_APP, APP, strlen(APP));
	if (fin)
		put_float(e, ID_DURATION, fin->duration_us);
	master_close(e, m);
	if (!fin)
		put_void(e, DURATION_LEN);
}

static void tracks_put(struct ebml *e, const struct mkv_track *t)
{
	static const char codec[] = "V_UNCOMPRESSED";
	size_t m = master_open(e, ID_TRACKS);
	size_t te = master_open(e, ID_TRACK_ENTRY);
	size_t v;

	put_uint(e, ID_TRACK_NUMBER, 1);
	put_uint(e, ID_TRACK_UID, 1);
	put_uint(e, ID_TRACK_TYPE, 1);		/* video */
	put_uint(e, ID_FLAG_LACING, 0);
	put_bin(e, ID_CODEC_ID, codec, strlen(codec));
	if (t->frame_ns)
		put_uint(e, ID_DEFAULT_DURATION, t->frame_ns);
	v = master_open(e, ID_VIDEO);
	put_uint(e, ID_FLAG_INTERLACED, 2);	/* progressive */
	put_uint(e, ID_PIXEL_WIDTH, t->width);
	put_uint(e, ID_PIXEL_HEIGHT, t->height);
	put_bin(e, ID_COLOUR_SPACE, t->colour, 4);
	master_close(e, v);
	master_close(e, te);
	master_close(e, m);
}

/* the head without its closing Void; returns its length */
static size_t head_put(unsigned char *buf, const struct mkv_track *t,
		       const struct mkv_final *fin)
{
	struct ebml e = { buf, 0 };
	size_t data, sh, end, info_pos, tracks_pos, pos_info, pos_tracks;

	ebml_header(&e);
	put_id(&e, ID_SEGMENT);
	if (fin)
		put_size8(&e, fin->segment_size);
	else
		put_be(&e, 0x01ULL << 56 | SIZE_UNKNOWN, 8);
	data = e.n;
	/* SeekHead: Info, Tracks and, once written, Cues (else a Void) */
	sh = master_open(&e, ID_SEEKHEAD);
	seek_put(&e, ID_INFO, 0);
	pos_info = e.n - 8;
	seek_put(&e, ID_TRACKS, 0);
	pos_tracks = e.n - 8;
	if (fin && fin->cues_pos)
		seek_put(&e, ID_CUES, fin->cues_pos);
	master_close(&e, sh);
	if (!fin || !fin->cues_pos)
		put_void(&e, SEEK_LEN);
	info_pos = e.n - data;
	info_put(&e, fin);
	tracks_pos = e.n - data;
	tracks_put(&e, t);
	end = e.n;
	/* the two positions, now known */
	e.n = pos_info;
	put_be(&e, info_pos, 8);
	e.n = pos_tracks;
	put_be(&e, tracks_pos, 8);
	return end;
}

/* @len rounded up to @blk, leaving room for a Void if not exact */
static size_t pad_to(size_t len, size_t blk)
{
	size_t r = (len + blk - 1) / blk * blk;

	if (r - len && r - len < MKV_VOID_MIN)
		r += blk;
	return r;
}

size_t mkv_head_len(const struct mkv_track *t, size_t blk)
{
	unsigned char buf[1024];

	return pad_to(head_put(buf, t, NULL), blk);
}

void mkv_head_build(unsigned char *buf, size_t len, const struct mkv_track *t,
		    const struct mkv_final *fin)
{
	struct ebml e = { buf, 0 };

	e.n = head_put(buf, t, fin);
	if (e.n < len)
		put_void(&e, len - e.n);
}

void mkv_cluster_build(unsigned char *buf, size_t blk,
		       unsigned long long time_us, size_t payload,
		       size_t tail)
{
	struct ebml e = { buf, 0 };

	put_id(&e, ID_CLUSTER);
	put_size8(&e, blk - 12 + payload + tail);
	put_uint8(&e, ID_TIMESTAMP, time_us);
	mkv_void(buf + e.n, blk - MKV_CLUSTER_HDR);
	e.n += blk - MKV_CLUSTER_HDR;
	put_id(&e, ID_SIMPLE_BLOCK);
	put_size8(&e, payload + 4);
	e.p[e.n++] = 0x81;	/* track 1 */
	put_be(&e, 0, 2);	/* timestamp relative to the Cluster's */
	e.p[e.n++] = 0x80;	/* keyframe */
}

size_t mkv_cues_len(size_t n, size_t blk)
{
	return pad_to(CUES_HDR + n * CUE_LEN, blk);
}

void mkv_cues_build(unsigned char *buf, size_t len, const struct mkv_cue *c,
		    size_t n)
{
	struct ebml e = { buf, 0 };
	size_t m = master_open(&e, ID_CUES), i;

	for (i = 0; i < n; i++) {
		put_id(&e, ID_CUE_POINT);
		put_size1(&e, CUE_LEN - 2);
		put_uint8(&e, ID_CUE_TIME, c[i].time_us);
		put_id(&e, ID_CUE_TRACK_POS);
		put_size1(&e, CUE_LEN - 14);
		put_uint(&e, ID_CUE_TRACK, 1);
		put_uint8(&e, ID_CUE_CLUSTER_POS, c[i].pos);
	}
	master_close(&e, m);
	if (e.n < len)
		put_void(&e, len - e.n);
}
