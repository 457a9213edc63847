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
extern const struct decoder telnet_decoder;
extern const struct decoder rlogin_decoder;
extern const struct decoder irc_decoder;
extern const struct decoder nntp_decoder;
extern const struct decoder pgsql_decoder;
extern const struct decoder mysql_decoder;
extern const struct decoder ldap_decoder;
extern const struct decoder snmp_decoder;
extern const struct decoder redis_decoder;
extern const struct decoder mqtt_decoder;
extern const struct decoder socks_decoder;

const struct decoder *const decoders[] = {
	&smtp_decoder,
	&pop3_decoder,
	&ftp_decoder,
	&http_decoder,
	&imap_decoder,
	&telnet_decoder,
	&rlogin_decoder,
	&irc_decoder,
	&nntp_decoder,
	&pgsql_decoder,
	&mysql_decoder,
	&ldap_decoder,
	&snmp_decoder,
	&redis_decoder,
	&mqtt_decoder,
	&socks_decoder,
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
