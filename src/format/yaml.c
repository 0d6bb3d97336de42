/*
 * yaml: the json tree written as YAML.  Strings are always double-quoted
 * (with JSON escapes, which YAML accepts), so no value can turn into a
 * boolean, a number or a document marker.
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sunset/report.h"
#include "sunset/format.h"

static void emit_scalar(FILE *out, json_t *v)
{
	switch (json_typeof(v)) {
	case JSON_STRING: {
		char *s = json_dumps(v, JSON_ENCODE_ANY | JSON_ENSURE_ASCII);
		fputs(s, out);
		free(s);
		break;
	}
	case JSON_INTEGER:
		fprintf(out, "%" JSON_INTEGER_FORMAT, json_integer_value(v));
		break;
	case JSON_TRUE:
		fputs("true", out);
		break;
	case JSON_FALSE:
		fputs("false", out);
		break;
	default:
		fputs("null", out);
	}
}

static bool is_empty_container(json_t *v)
{
	return (json_is_object(v) && json_object_size(v) == 0) || (json_is_array(v) && json_array_size(v) == 0);
}

static void emit(FILE *out, json_t *v, int indent);

static void emit_value_after_key(FILE *out, json_t *v, int indent)
{
	if (is_empty_container(v)) {
		fputs(json_is_object(v) ? " {}\n" : " []\n", out);
	} else if (json_is_object(v) || json_is_array(v)) {
		fputc('\n', out);
		emit(out, v, indent + 2);
	} else {
		fputc(' ', out);
		emit_scalar(out, v);
		fputc('\n', out);
	}
}

static void emit(FILE *out, json_t *v, int indent)
{
	if (json_is_object(v)) {
		const char *key;
		json_t *val;
		json_object_foreach(v, key, val)
		{
			fprintf(out, "%*s%s:", indent, "", key);
			emit_value_after_key(out, val, indent);
		}
	} else if (json_is_array(v)) {
		size_t i;
		json_t *val;
		json_array_foreach(v, i, val)
		{
			if (json_is_object(val) && json_object_size(val)) {
				/* "- key: value" then the other keys under it */
				const char *key;
				json_t *x;
				bool first = true;
				json_object_foreach(val, key, x)
				{
					fprintf(out, "%*s%s%s:", first ? indent : indent + 2, "", first ? "- " : "", key);
					emit_value_after_key(out, x, indent + 2);
					first = false;
				}
			} else {
				fprintf(out, "%*s-", indent, "");
				emit_value_after_key(out, val, indent);
			}
		}
	}
}

int sunset_format_yaml(FILE *out, const sunset_report *r, const sunset_report_options *opt)
{
	json_t *root = sunset_report_to_json(r, opt);
	emit(out, root, 0);
	json_decref(root);
	return 0;
}
