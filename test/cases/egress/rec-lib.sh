#!/bin/sh
# rec-lib.sh - checks of mcap-record's recordings (sourced by egress cases)
#
# REC                          the recorder, tools/mcap-record
# rec_frames CSV               frame lines in a sidecar
# rec_gaps CSV...              frames missing from the sidecars' sequence
#                              numbers, which start at 0 with the stream
#                              (the sidecars taken in order, as one)
# rec_drops NODE               the driver's drop counters of NODE's channel,
#                              summed (frames missing from the sequence)
# rec_probe FILE PTS           ffprobe's "FRAMES WIDTH HEIGHT PIX_FMT"; the
#                              packet times, one a line, into file PTS
# rec_gst_frames FILE          buffers GStreamer's matroskademux gives
# rec_check NODE N SCRATCH FILE...  the files (with their sidecars
#                              FILE%.mkv.csv) hold N frames of NODE in all:
#                              each file's ffprobe count, width, height and
#                              pixel format (REC_PIXFMT) agree with its
#                              sidecar, FFmpeg's
#                              rawvideo copy of all of them is byte-exact
#                              Tagged Lines (mcap-rawcheck -n N, its drops ==
#                              the sidecars' gaps after the first frame), and
#                              the packet times are
#                              the sidecars' timestamps to the microsecond.
#                              SCRATCH: a directory for the extracted frames.
# Needs lib.sh (sourced first).
# shellcheck disable=SC2034 # REC is for the cases that source this file
REC=$MCAP_USER_TOOLS/mcap-record
REC_PIXFMT=yuyv422	# FFmpeg's name of the format the cases record (YUYV)

rec_frames() {
	grep -c '^[0-9]' "$1"
}

rec_gaps() {
	cat "$@" | awk -F, '/^[0-9]/ { g += $2 - (n++ ? p + 1 : 0); p = $2 }
		END { print g + 0 }'
}

rec_drops() {
	_d=0
	for _k in drops_no_buffer drops_overflow drops_chunk_error drops_stall; do
		_v=$(mcap_stat "$1" $_k)
		_d=$((_d + ${_v:-0}))
	done
	echo $_d
}

rec_probe() {
	ffprobe -v error -count_frames -select_streams v:0 -show_entries \
		packet=pts:stream=nb_read_frames,width,height,pix_fmt -of compact=p=1 "$1" |
		awk -F'|' -v pts="$2" '
		$1 == "packet" { sub(/^pts=/, "", $2); print $2 >pts; next }
		$1 == "stream" { for (i = 2; i <= NF; i++) { split($i, kv, "="); v[kv[1]] = kv[2] } }
		END { printf "", "" >pts; print v["nb_read_frames"], v["width"], v["height"], v["pix_fmt"] }'
}

rec_gst_frames() {
	gst-launch-1.0 -v filesrc location="$1" ! matroskademux ! fakesink silent=false 2>&1 |
		grep -c 'last-message = chain'
}

rec_check() {
	_node=$1 _want=$2 _tmp=$3
	shift 3
	_sum=0 _csvs=
	: >"$_tmp/frames.raw"
	for _f in "$@"; do
		_csv=${_f%.mkv}.csv
		_csvs="$_csvs $_csv"
		_n=$(rec_frames "$_csv")
		_geo=$(sed -n 's/.* width=\([0-9]*\) height=\([0-9]*\) .*/\1 \2/p' "$_csv")
		_p=$(rec_probe "$_f" "$_tmp/pts")
		echo "$_f: sidecar $_n frames ($_geo), ffprobe: $_p"
		[ "${_p%% *}" = "$_n" ] || fail "$_f: ffprobe counts ${_p%% *} frames, the sidecar $_n"
		echo "$_p" | grep -q " $_geo $REC_PIXFMT\$" ||
			fail "$_f: ffprobe sees '$_p', want $_geo $REC_PIXFMT"
		# packet times, relative to the first, against the sidecar's
		awk -F, '/^[0-9]/ { printf "%.0f\n", int($3 / 1000) }' "$_csv" >"$_tmp/ts"
		_bad=$(paste -d' ' "$_tmp/pts" "$_tmp/ts" | awk '
			NR == 1 { p0 = $1; t0 = $2 }
			$1 - p0 != $2 - t0 || NF != 2 { bad++ }
			END { print bad + 0 }')
		[ "$_bad" = 0 ] || fail "$_f: $_bad packet times differ from the sidecar's timestamps"
		ffmpeg -v error -i "$_f" -map 0:v -c copy -f rawvideo -y "$_tmp/one.raw" ||
			fail "$_f: ffmpeg cannot copy the frames out"
		cat "$_tmp/one.raw" >>"$_tmp/frames.raw"
		rm -f "$_tmp/one.raw"
		_sum=$((_sum + _n))
	done
	[ "$_sum" = "$_want" ] || fail "$*: $_sum frames in all, want $_want"
	# shellcheck disable=SC2086 # one word per sidecar
	_gaps=$(rec_gaps $_csvs)
	# mcap-rawcheck counts the drops between frames, not before the first
	# shellcheck disable=SC2086 # one word per sidecar
	_gaps=$((_gaps - $(cat $_csvs | awk -F, '/^[0-9]/ { print $2; exit }')))
	"$MCAP_TOOLS/mcap-rawcheck" -n "$_want" "$_tmp/frames.raw" "$_node" >"$_tmp/rawcheck.txt" 2>&1 ||
		{ tail -n 5 "$_tmp/rawcheck.txt"; fail "$*: frames not byte-exact (mcap-rawcheck)"; }
	_rc=$(tail -n 1 "$_tmp/rawcheck.txt")
	echo "$_rc"
	echo "$_rc" | grep -q " dropped $_gaps," ||
		fail "$*: mcap-rawcheck's drops differ from the sidecars' $_gaps gaps"
	rm -f "$_tmp/frames.raw"
}
