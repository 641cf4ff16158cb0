/*
 * campaign_fs.c - files and directories for campaigns (see campaign.h):
 * formatted paths, mkdir -p, rm -rf, whole-file reads and atomic writes,
 * sorted directory listings.
 */
#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "campaign.h"

static void *
cf_alloc(size_t n)
{
	void *p = malloc(n != 0 ? n : 1);

	if (p == NULL) {
		fprintf(stderr, "pmapfuzz: out of memory\n");
		abort();
	}
	return p;
}

char *
cf_fmt(const char *fmt, ...)
{
	va_list ap;
	char *s;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0)
		abort();
	s = cf_alloc((size_t)n + 1);
	va_start(ap, fmt);
	vsnprintf(s, (size_t)n + 1, fmt, ap);
	va_end(ap);
	return s;
}

int
cf_is_dir(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

int
cf_exists(const char *path)
{
	struct stat st;

	return lstat(path, &st) == 0;
}

int
cf_mkdirs(const char *path)
{
	char *p;
	int rc = 0;

	if (path[0] == '\0') {
		errno = ENOENT;
		return -1;
	}
	p = cf_fmt("%s", path);
	/* Create each prefix that ends before a '/', then the whole path. */
	for (char *s = p + 1; rc == 0; s++) {
		char c = *s;

		if (c != '/' && c != '\0')
			continue;
		*s = '\0';
		if (mkdir(p, 0777) != 0 && (errno != EEXIST || !cf_is_dir(p)))
			rc = -1;
		*s = c;
		if (c == '\0')
			break;
	}
	free(p);
	return rc;
}

int
cf_rmtree(const char *path)
{
	struct dirent *e;
	struct stat st;
	DIR *d;
	int rc = 0;

	if (lstat(path, &st) != 0)
		return errno == ENOENT ? 0 : -1;
	if (!S_ISDIR(st.st_mode))
		return unlink(path);
	if ((d = opendir(path)) == NULL)
		return -1;
	while ((e = readdir(d)) != NULL) {
		char *sub;

		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		sub = cf_fmt("%s/%s", path, e->d_name);
		if (cf_rmtree(sub) != 0)
			rc = -1;
		free(sub);
	}
	closedir(d);
	if (rc == 0)
		rc = rmdir(path);
	return rc;
}

int
cf_read(const char *path, size_t max, unsigned char **buf, size_t *len)
{
	unsigned char *b;
	size_t n = 0;
	FILE *f;

	if ((f = fopen(path, "rb")) == NULL)
		return -1;
	b = cf_alloc(max + 1);
	n = fread(b, 1, max, f);
	if (ferror(f)) {
		int e = errno;

		fclose(f);
		free(b);
		errno = e;
		return -1;
	}
	fclose(f);
	b[n] = '\0';
	*buf = b;
	*len = n;
	return 0;
}

int
cf_write(const char *path, const void *buf, size_t len)
{
	char *tmp = cf_fmt("%s.tmp.%ld", path, (long)getpid());
	FILE *f = fopen(tmp, "wb");
	int rc = 0;

	if (f == NULL) {
		free(tmp);
		return -1;
	}
	if ((len != 0 && fwrite(buf, 1, len, f) != len) || fflush(f) != 0)
		rc = -1;
	if (fclose(f) != 0)
		rc = -1;
	if (rc == 0 && rename(tmp, path) != 0)
		rc = -1;
	if (rc != 0) {
		int e = errno;

		unlink(tmp);
		errno = e;
	}
	free(tmp);
	return rc;
}

int
cf_copy(const char *from, const char *to)
{
	unsigned char *buf;
	size_t len;
	struct stat st;
	int rc;

	if (stat(from, &st) != 0)
		return -1;
	if (cf_read(from, (size_t)st.st_size, &buf, &len) != 0)
		return -1;
	rc = cf_write(to, buf, len);
	free(buf);
	return rc;
}

double
cf_mtime(const char *path)
{
	struct stat st;

	if (stat(path, &st) != 0)
		return -1;
	return (double)st.st_mtim.tv_sec + (double)st.st_mtim.tv_nsec / 1e9;
}

static int
cf_keep_default(const char *name)
{
	return name[0] != '.';
}

static int
cf_cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int
cf_list_dir(const char *dir, int (*keep)(const char *name), struct cf_list *l)
{
	struct dirent *e;
	size_t cap = 0;
	DIR *d;

	l->names = NULL;
	l->n = 0;
	if (keep == NULL)
		keep = cf_keep_default;
	if ((d = opendir(dir)) == NULL)
		return errno == ENOENT ? 0 : -1;
	while ((e = readdir(d)) != NULL) {
		char *full;
		struct stat st;
		int regular;

		if (!keep(e->d_name))
			continue;
		full = cf_fmt("%s/%s", dir, e->d_name);
		regular = stat(full, &st) == 0 && S_ISREG(st.st_mode);
		free(full);
		if (!regular)
			continue;
		if (l->n == cap) {
			char **grown;

			cap = cap != 0 ? 2 * cap : 32;
			grown = realloc(l->names, cap * sizeof(*l->names));
			if (grown == NULL) {
				fprintf(stderr, "pmapfuzz: out of memory\n");
				abort();
			}
			l->names = grown;
		}
		l->names[l->n++] = cf_fmt("%s", e->d_name);
	}
	closedir(d);
	if (l->n != 0)
		qsort(l->names, l->n, sizeof(*l->names), cf_cmp_names);
	return 0;
}

void
cf_list_free(struct cf_list *l)
{
	for (size_t i = 0; i < l->n; i++)
		free(l->names[i]);
	free(l->names);
	l->names = NULL;
	l->n = 0;
}

uint64_t
cf_hash(const void *buf, size_t len)
{
	const unsigned char *b = buf;
	uint64_t h = 14695981039346656037ull;

	for (size_t i = 0; i < len; i++)
		h = (h ^ b[i]) * 1099511628211ull;
	return h;
}
