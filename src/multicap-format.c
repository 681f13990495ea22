// SPDX-License-Identifier: GPL-2.0-only
/*
 * multicap-format.c - the pixel formats the card writes, a channel's format
 *
 * The format belongs to the node, not to a file handle, and its size
 * follows the channel's DV timings: S_FMT and TRY_FMT never fail on size or
 * fourcc, they clamp and substitute. bytesperline may be larger than the packed line;
 * the padding is left untouched by the card.
 *
 * Both the node (multicap-video.c) and the input (multicap-input.c) use
 * these helpers; they call neither file.
 */

#include <media/v4l2-common.h>

#include "multicap.h"

#define MULTICAP_MAX_BPL		65536	/* downstream strides rarely need more */

static const struct multicap_format multicap_formats[] = {
	{ V4L2_PIX_FMT_YUYV, MULTICAP_PIXFMT_YUYV, false },
	{ V4L2_PIX_FMT_UYVY, MULTICAP_PIXFMT_UYVY, false },
	{ V4L2_PIX_FMT_RGB24, MULTICAP_PIXFMT_RGB24, true },
	{ V4L2_PIX_FMT_BGR24, MULTICAP_PIXFMT_BGR24, true },
	{ V4L2_PIX_FMT_GREY, MULTICAP_PIXFMT_GREY, false },
	{ V4L2_PIX_FMT_XBGR32, MULTICAP_PIXFMT_XBGR32, true },
	{ V4L2_PIX_FMT_NV12, MULTICAP_PIXFMT_NV12, false },
	{ V4L2_PIX_FMT_NV16, MULTICAP_PIXFMT_NV16, false },
};

static const struct multicap_format *multicap_format_find(u32 fourcc)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(multicap_formats); i++)
		if (multicap_formats[i].fourcc == fourcc)
			return &multicap_formats[i];
	return NULL;
}

/**
 * multicap_format_by_index() - the card's pixel formats, in VIDIOC_ENUM_FMT order
 * @index: from 0
 *
 * Return: the @index-th format, or NULL past the last one.
 */
const struct multicap_format *multicap_format_by_index(u32 index)
{
	if (index >= ARRAY_SIZE(multicap_formats))
		return NULL;
	return &multicap_formats[index];
}

/**
 * multicap_format_supported() - whether the card can write a pixel format
 * @fourcc: V4L2 pixel format
 *
 * Return: true if it is one of multicap_formats.
 */
bool multicap_format_supported(u32 fourcc)
{
	return multicap_format_find(fourcc);
}

/**
 * multicap_format_adjust() - make a format one the channel can deliver
 * @vc: the channel: its timings give the size, its RGB range the
 *	quantization of RGB formats
 * @pix: the format asked for in, the nearest the channel delivers out
 *
 * An unsupported fourcc becomes the first of multicap_formats; bytesperline
 * is clamped between the packed line and MULTICAP_MAX_BPL.
 *
 * Return: the card's description of the resulting pixel format.
 */
const struct multicap_format *
multicap_format_adjust(struct multicap_channel *vc, struct v4l2_pix_format *pix)
{
	const struct multicap_format *f = multicap_format_find(pix->pixelformat);
	const struct v4l2_format_info *info;
	u32 packed, bpl;

	if (!f)
		f = &multicap_formats[0];
	info = v4l2_format_info(f->fourcc);
	bpl = pix->bytesperline;
	memset(pix, 0, sizeof(*pix));
	pix->pixelformat = f->fourcc;
	pix->width = vc->timings.bt.width;
	pix->height = vc->timings.bt.height;
	pix->field = V4L2_FIELD_NONE;

	packed = pix->width * info->bpp[0];
	pix->bytesperline = clamp(bpl, packed, max_t(u32, packed, MULTICAP_MAX_BPL));
	pix->sizeimage = pix->bytesperline * multicap_stream_lines(pix);

	if (f->is_rgb) {
		pix->colorspace = V4L2_COLORSPACE_SRGB;
		pix->xfer_func = V4L2_XFER_FUNC_SRGB;
		pix->ycbcr_enc = V4L2_YCBCR_ENC_601;
		pix->quantization = vc->rgb_range == V4L2_DV_RGB_RANGE_LIMITED ?
				    V4L2_QUANTIZATION_LIM_RANGE :
				    V4L2_QUANTIZATION_FULL_RANGE;
	} else if (pix->height >= 720) {
		pix->colorspace = V4L2_COLORSPACE_REC709;
		pix->xfer_func = V4L2_XFER_FUNC_709;
		pix->ycbcr_enc = V4L2_YCBCR_ENC_709;
		pix->quantization = V4L2_QUANTIZATION_LIM_RANGE;
	} else {
		pix->colorspace = V4L2_COLORSPACE_SMPTE170M;
		pix->xfer_func = V4L2_XFER_FUNC_709;
		pix->ycbcr_enc = V4L2_YCBCR_ENC_601;
		pix->quantization = V4L2_QUANTIZATION_LIM_RANGE;
	}
	return f;
}

/**
 * multicap_format_refresh() - recompute the derived fields of a channel's format
 * @vc: the channel
 *
 * After a change of what the format depends on (size, RGB range).
 */
void multicap_format_refresh(struct multicap_channel *vc)
{
	vc->mfmt = multicap_format_adjust(vc, &vc->fmt);
}

/**
 * multicap_format_timings_changed() - the channel's timings changed: new size
 * @vc: the channel, not busy
 *
 * Keeps the pixel format; bytesperline falls back to the packed line.
 */
void multicap_format_timings_changed(struct multicap_channel *vc)
{
	vc->fmt.bytesperline = 0;
	multicap_format_refresh(vc);
}
