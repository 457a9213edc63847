/*
 * registry.c - the one table of decoders.  Adding a protocol is one line here.
 */
#include <string.h>

#include "decoder.h"

extern const struct decoder smtp_decoder;
extern const struct decoder pop3_decoder;
extern const struct decoder ftp_decoder;
extern const struct decoder http_decoder;
extern const struct decoder imap_decoder;

const struct decoder *const decoders[] = {
	&smtp_decoder,
	&pop3_decoder,
	&ftp_decoder,
	&http_decoder,
	&imap_decoder,
	NULL
};

const struct decoder *
decoder_by_name(const char *name)
{
	size_t i;

	for (i = 0; decoders[i] != NULL; i++)
		if (strcmp(decoders[i]->name, name) == 0)
			return decoders[i];
	return NULL;
}
