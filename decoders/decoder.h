/*
 * decoder.h - the interface between stream reassembly and protocol decoders.
 *
 * Reassembly hands each decoder the bytes of one TCP connection, in order and
 * per direction, and tells it about holes (gaps) and about the end of the
 * connection.  A decoder never sees packets, never allocates per call and
 * never writes output itself: findings go through alert_emit() (alerts/alert.h).
 *
 * Adding a protocol: write decoders/<proto>.c exporting one
 * `const struct decoder <proto>_decoder`, and add one line to
 * decoders/registry.c.
 */
#ifndef CREDLEAK_DECODER_H
#define CREDLEAK_DECODER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../alerts/alert.h"

/* Direction of a chunk of stream data. */
enum dir {
	DIR_C2S = 0,	/* client to server: commands */
	DIR_S2C = 1	/* server to client: replies */
};

/* What a decoder wants after a call. */
enum dec_status {
	DEC_MORE = 0,	/* keep feeding me */
	DEC_DONE,	/* nothing more to learn (TLS started, session over): stop inspecting */
	DEC_MISMATCH,	/* this is not my protocol after all: detach me */
	DEC_TUNNEL	/*
			 * the rest of the stream is a new connection (HTTP
			 * CONNECT answered 2xx): detach me and classify what
			 * follows afresh; ctx->consumed says how many bytes of
			 * this call were mine
			 */
};

/* Why a flow ended; every end goes through decoder->end() exactly once. */
enum end_reason {
	END_FIN = 0,
	END_RST,
	END_TIMEOUT,
	END_EVICT,	/* memory or flow-table cap */
	END_EXIT	/* end of input */
};

/* Verdict of a content probe on the first bytes of one direction. */
enum probe_result {
	PROBE_NO = 0,	/* certainly not this protocol */
	PROBE_MAYBE,	/* need more bytes */
	PROBE_YES	/* this is it */
};

/*
 * Per-call context.  `ctx->ts_us` is the time of the packet that caused this
 * delivery; alert_emit() stamps findings with it.  DEC_DONE and DEC_MISMATCH
 * detach the decoder at once: it must have emitted everything first, as
 * end() is not called then.
 */
struct dec_ctx {
	const struct flow_info	*flow;
	uint64_t		 ts_us;
	struct alert_sink	*sink;
	struct dec_counters	*ctr;
	size_t			 consumed;	/* set with DEC_TUNNEL: bytes of this call used */
	/*
	 * Set with DEC_MORE: the next `skip` bytes of this direction, after
	 * this call's, are of no interest (the rest of a body of known
	 * length) and the decoder counts them as consumed already; reassembly
	 * then drops them without copying or delivering them, and a hole
	 * inside them is no gap.  UINT64_MAX: the rest of the direction.
	 * Reset to 0 before every call.
	 */
	uint64_t		 skip;
};

/* Anomaly counters shared by all decoders; bad input is a counter. */
struct dec_counters {
	uint64_t line_overflow;		/* a line exceeded the splitter's maximum */
	uint64_t bad_base64;		/* SASL data that did not decode */
	uint64_t bad_sasl;		/* decoded SASL that did not parse */
	uint64_t unmatched_reply;	/* a reply with no outstanding command */
	uint64_t pipeline_overflow;	/* more outstanding commands than we track */
	uint64_t nul_in_line;		/* NUL byte inside a text line */
	uint64_t gaps;			/* gap events received by decoders */
	uint64_t mismatch;		/* decoders that detached themselves */
	uint64_t bad_framing;		/* malformed message framing (HTTP lengths, chunks, start lines) */
};

struct decoder {
	const char	*name;		/* app_proto in alerts: "smtp", "pop3" */
	const uint16_t	*ports;		/* port hints, 0-terminated; a hint, never the verdict */
	size_t		 state_size;	/* bytes calloc()ed per flow for the state */

	/*
	 * Look at the first bytes seen in direction `dir` (as far as the
	 * reassembler knows the roles) and say whether this is the protocol.
	 * `*sender_is_server` is set on PROBE_YES when the bytes prove which
	 * side is the server (a greeting) or the client (a command), so a flow
	 * picked up mid-session gets its roles right.  Must not keep pointers.
	 */
	enum probe_result (*probe)(enum dir dir, const uint8_t *p, size_t n,
	    bool *sender_is_server);

	/* Set up freshly calloc()ed state. `midstream`: the handshake was not seen. */
	void (*init)(void *st, bool midstream);

	/* In-order stream bytes of one direction; may be called with any split. */
	enum dec_status (*data)(void *st, struct dec_ctx *ctx, enum dir dir,
	    const uint8_t *p, size_t n);

	/* `missing` bytes of direction `dir` were never seen. */
	void (*gap)(void *st, struct dec_ctx *ctx, enum dir dir, size_t missing);

	/* The flow ends; last chance to emit what is known. */
	void (*end)(void *st, struct dec_ctx *ctx, enum end_reason why);

	/* Wipe any secret bytes held in the state; the caller frees it. May be NULL. */
	void (*wipe)(void *st);

	/*
	 * Transport: 0 (TCP, the default) for byte-stream decoders, 17 for
	 * UDP ones.  A UDP decoder's data() gets one whole datagram per call
	 * (DIR_C2S: from the side that sent the first datagram or, when the
	 * probe said so, the client), gap() is never called, and end() comes
	 * when the UDP flow idles out or the input ends.
	 */
	uint8_t		 ipproto;
};

/* Emit a finding for the flow being decoded, stamped with the current packet's time. */
static inline void
dec_emit(struct dec_ctx *ctx, const struct finding *f)
{
	alert_emit(ctx->sink, ctx->flow, ctx->ts_us, f);
}

/* The table of decoders (decoders/registry.c), NULL-terminated. */
extern const struct decoder *const decoders[];

/* A decoder by name, or NULL. */
const struct decoder *decoder_by_name(const char *name);

#endif /* CREDLEAK_DECODER_H */
