/*
 * A freeDiameter extension that writes the dictionary freeDiameter has loaded (fd_dict_dump's text:
 * every vendor's AVPs with their codes, base types and flags, each group's rules) to the file its
 * configuration string names, for test/gy-dictionary.test.ts to compare with ours. It writes a
 * temporary file and renames it, so that the file appears complete.
 */
#include <freeDiameter/extension.h>
#include <stdio.h>
#include <stdlib.h>

static int dict_dump_init(char *conf) {
	char *text = NULL;
	size_t length = 0;
	char partial[4096];
	if (!conf || snprintf(partial, sizeof partial, "%s.partial", conf) >= (int)sizeof partial) return EINVAL;
	if (!fd_dict_dump(&text, &length, NULL, fd_g_config->cnf_dict)) return ENOMEM;
	FILE *out = fopen(partial, "w");
	if (!out) return errno;
	fputs(text, out);
	free(text);
	if (fclose(out) || rename(partial, conf)) return errno;
	return 0;
}

EXTENSION_ENTRY("dict_dump", dict_dump_init, "dict_dcca_3gpp");
