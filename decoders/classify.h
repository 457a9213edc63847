/*
 * classify.h - which decoder follows a flow.
 *
 * The content of the first bytes decides (a greeting, a first command);
 * ports are hints used only when the content is not conclusive.  The
 * nDPI-driven verdict will live in classify.c too: it is the one file that
 * may include nDPI headers.
 */
#ifndef CREDLEAK_CLASSIFY_H
#define CREDLEAK_CLASSIFY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "decoder.h"

enum cls_verdict {
	CLS_WAIT = 0,	/* not enough bytes yet */
	CLS_NONE,	/* no decoder wants this flow */
	CLS_DECODER	/* *dec follows it */
};

struct cls_input {
	const uint8_t	*first[2];	/* contiguous first bytes per direction (enum dir) */
	size_t		 len[2];
	enum dir	 first_dir;	/* the side that spoke first */
	bool		 midstream;	/* handshake not seen: roles are a guess */
	uint16_t	 cli_port, srv_port;
	unsigned	 packets;	/* payload packets seen so far */
};

/*
 * Decide.  On CLS_DECODER, *swap is true when the content shows the roles
 * were guessed the wrong way round (mid-session pickup).
 */
enum cls_verdict classify(const struct cls_input *in, const struct decoder **dec,
    bool *swap);

/* Whether some decoder lists this port as a hint (for guessing roles). */
bool classify_port_hint(uint16_t port);

#endif /* CREDLEAK_CLASSIFY_H */
