/* SPDX-License-Identifier: GPL-2.0 */
/*
 * mcap-mkv.h - the Matroska layout mcap-record writes, frame payloads aligned
 *
 * A recording is an EBML header and one Segment: a head region (SeekHead,
 * Info, Tracks, then a Void up to a block boundary), one Cluster per frame,
 * and on a clean close Cues. Every Cluster starts with a header block of
 * exactly one alignment unit (Timestamp, a Void, the SimpleBlock header),
 * so the frame's payload that follows starts on a block boundary; after
 * the payload a Void (its first bytes written into the capture buffer's
 * slack) fills up to the next boundary. A file cut after any Cluster is a
 * valid recording: the Segment size stays "unknown" until the close.
 *
 * One video track, V_UNCOMPRESSED, its pixel format as the ColourSpace
 * fourcc; timestamps in microseconds (TimestampScale 1000 ns).
 */
#ifndef MCAP_MKV_H
#define MCAP_MKV_H

#include <stddef.h>

/* TimestampScale: cluster timestamps count microseconds */
#define MKV_SCALE_NS		1000ULL
/* bytes of the Cluster and SimpleBlock headers in a header block */
#define MKV_CLUSTER_HDR		35
/* the least a Void element can fill (ID and a 1-byte size) */
#define MKV_VOID_MIN		2

/**
 * struct mkv_track - what the Tracks element says of the video
 * @width: PixelWidth
 * @height: PixelHeight
 * @colour: ColourSpace: the pixel format's fourcc as the demuxers know it
 * @frame_ns: DefaultDuration (ns), 0 to leave it out
 */
struct mkv_track {
	unsigned int width;
	unsigned int height;
	char colour[4];
	unsigned long long frame_ns;
};

/**
 * struct mkv_final - what a clean close fills in at the start of the file
 * @segment_size: bytes of the Segment's data (file end - mkv_data_start())
 * @duration_us: Info's Duration
 * @cues_pos: Cues position relative to the Segment's data, 0 if none
 */
struct mkv_final {
	unsigned long long segment_size;
	double duration_us;
	unsigned long long cues_pos;
};

/**
 * struct mkv_cue - one CuePoint
 * @time_us: the Cluster's timestamp
 * @pos: the Cluster's position relative to the Segment's data
 */
struct mkv_cue {
	unsigned long long time_us;
	unsigned long long pos;
};

/* file offset of the Segment's data, the origin of every position */
size_t mkv_data_start(void);
/* length of the head region: a multiple of @blk that fits both versions */
size_t mkv_head_len(const struct mkv_track *t, size_t blk);
/*
 * Fill @len (mkv_head_len()) bytes of head: with @fin NULL as written at the
 * start (Segment size unknown, no Duration, no Cues entry), else final.
 */
void mkv_head_build(unsigned char *buf, size_t len, const struct mkv_track *t,
		    const struct mkv_final *fin);
/*
 * Fill a Cluster's header block of @blk bytes: Cluster (sized for @payload
 * + @tail bytes after the block), Timestamp @time_us, a Void, and the
 * SimpleBlock header of track 1 holding @payload bytes.
 */
void mkv_cluster_build(unsigned char *buf, size_t blk,
		       unsigned long long time_us, size_t payload,
		       size_t tail);
/* Void element header for @len (>= MKV_VOID_MIN) bytes; its body untouched */
void mkv_void(unsigned char *p, size_t len);
/* bytes of Cues for @n points, padded to a multiple of @blk */
size_t mkv_cues_len(size_t n, size_t blk);
/* fill mkv_cues_len() bytes: Cues, then a Void to the block boundary */
void mkv_cues_build(unsigned char *buf, size_t len, const struct mkv_cue *c,
		    size_t n);

#endif /* MCAP_MKV_H */
