/* writer.c - the table of writers: the one list of --format's names (writer.h). */
#include "writer.h"

#include <string.h>

/* Every format: --format, --help and the man page list them in this order. */
static const struct report_writer *const writers[] = {
	&text_writer, &json_writer, &jsonl_writer, &md_writer, &html_writer, &ecs_writer,
};
#define N_WRITERS (sizeof writers / sizeof writers[0])

const struct report_writer *writer_find(const char *name)
{
	for (size_t i = 0; i < N_WRITERS; i++)
		if (strcmp(writers[i]->name, name) == 0 || (writers[i]->alias && strcmp(writers[i]->alias, name) == 0))
			return writers[i];
	return NULL;
}

const struct report_writer *writer_at(size_t i)
{
	return i < N_WRITERS ? writers[i] : NULL;
}

const char *const *writer_names(void)
{
	static const char *names[2 * N_WRITERS + 1];
	if (!names[0]) {
		size_t n = 0;
		for (size_t i = 0; i < N_WRITERS; i++)
			names[n++] = writers[i]->name;
		for (size_t i = 0; i < N_WRITERS; i++)
			if (writers[i]->alias)
				names[n++] = writers[i]->alias;
	}
	return names;
}
