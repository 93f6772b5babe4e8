/* libFuzzer harness: the telemetry stream decoder (de-COBS, CRC, resync,
 * gap accounting, every frame parser and the event formatter), fed in
 * chunks whose sizes come from the input itself. */
#include <stdint.h>

#include "fwm_proto.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int on_event(const struct fwm_proto_event *ev, void *arg)
{
	char line[512];
	(void)arg;
	fwm_proto_format(ev, line, sizeof line);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fwm_proto_dec *d;
	struct fwm_err err;
	if (fwm_proto_dec_new(on_event, NULL, &d, &err) < 0)
		return 0;
	size_t off = 0;
	while (off < size) {
		size_t n = 1 + data[off] % 64;   /* chunk sizes 1..64 */
		if (n > size - off)
			n = size - off;
		fwm_proto_dec_feed(d, data + off, n, &err);
		off += n;
	}
	fwm_proto_dec_finish(d, &err);
	struct fwm_proto_stats st;
	fwm_proto_dec_stats(d, &st);
	fwm_proto_dec_free(d);
	return 0;
}
