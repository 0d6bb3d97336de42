/* kubeconfig: KUBECONFIG merge rules (first file wins per name,
 * current-context from the first file that sets it), relative paths resolved
 * against each file's directory, -data fields, errors with positions, and
 * base64 (table rows of input -> expected). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "sunset/cluster.h"

static char tmpdir[256];

static void write_file(const char *rel, const char *text)
{
	char path[512];
	snprintf(path, sizeof(path), "%s/%s", tmpdir, rel);
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static const char *at(const char *rel)
{
	static char buf[4][512];
	static int i;
	i = (i + 1) % 4;
	snprintf(buf[i], sizeof(buf[i]), "%s/%s", tmpdir, rel);
	return buf[i];
}

static int setup(void **state)
{
	(void)state;
	snprintf(tmpdir, sizeof(tmpdir), "%s/sunset-kc.XXXXXX", getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
	if (!mkdtemp(tmpdir))
		return -1;
	char sub[512];
	snprintf(sub, sizeof(sub), "%s/sub", tmpdir);
	mkdir(sub, 0700);
	write_file("a.yaml",
		   "apiVersion: v1\n"
		   "kind: Config\n"
		   "current-context: first\n"
		   "clusters:\n"
		   "- name: shared\n"
		   "  cluster:\n"
		   "    server: https://a.example:6443/\n"
		   "    certificate-authority: ca.crt\n"
		   "contexts:\n"
		   "- name: first\n"
		   "  context: {cluster: shared, user: alice, namespace: shop}\n"
		   "users:\n"
		   "- name: alice\n"
		   "  user:\n"
		   "    token: from-a\n");
	write_file("sub/b.yaml",
		   "apiVersion: v1\n"
		   "kind: Config\n"
		   "current-context: second\n"
		   "clusters:\n"
		   "- name: shared\n"
		   "  cluster: {server: https://b.example}\n"
		   "- name: only-b\n"
		   "  cluster:\n"
		   "    server: https://only-b.example\n"
		   "    certificate-authority: /etc/abs/ca.crt\n"
		   "    certificate-authority-data: aGVsbG8=\n"
		   "    insecure-skip-tls-verify: true\n"
		   "    tls-server-name: api.internal\n"
		   "    proxy-url: socks5://proxy:1080\n"
		   "contexts:\n"
		   "- name: first\n"
		   "  context: {cluster: only-b, user: bob}\n"
		   "- name: second\n"
		   "  context: {cluster: only-b, user: bob}\n"
		   "users:\n"
		   "- name: alice\n"
		   "  user: {token: from-b}\n"
		   "- name: bob\n"
		   "  user:\n"
		   "    tokenFile: tokens/bob\n"
		   "    client-certificate: certs/bob.crt\n"
		   "    client-key: /abs/bob.key\n"
		   "    client-key-data: a2V5\n"
		   "    as: admin\n"
		   "    as-groups: [ops, dev]\n"
		   "- name: plugin\n"
		   "  user:\n"
		   "    exec:\n"
		   "      apiVersion: client.authentication.k8s.io/v1\n"
		   "      command: ./bin/get-token\n"
		   "      args: [--cluster, x]\n"
		   "      env: [{name: REGION, value: eu}]\n"
		   "      interactiveMode: Never\n"
		   "      provideClusterInfo: true\n"
		   "- name: plugin-on-path\n"
		   "  user:\n"
		   "    exec: {apiVersion: client.authentication.k8s.io/v1beta1, command: aws}\n");
	write_file("c.yaml", "clusters: []\n");
	write_file("empty.yaml", "");
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	const char *files[] = {"a.yaml", "sub/b.yaml", "c.yaml", "empty.yaml", "bad.yaml", "sub", ""};
	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++)
		remove(at(files[i]));
	rmdir(tmpdir);
	return 0;
}

static void merge_first_wins(void **state)
{
	(void)state;
	sunset_kubeconfig kc;
	sunset_kubeconfig_init(&kc);
	char err[1024];
	assert_int_equal(sunset_kubeconfig_merge_file(&kc, at("a.yaml"), false, err, sizeof(err)), 0);
	assert_int_equal(sunset_kubeconfig_merge_file(&kc, at("sub/b.yaml"), false, err, sizeof(err)), 0);
	assert_string_equal(kc.current_context, "first");
	static const struct {
		const char *cluster, *server, *origin;
	} clusters[] = {
		{"shared", "https://a.example:6443/", "a.yaml"},
		{"only-b", "https://only-b.example", "sub/b.yaml"},
	};
	assert_int_equal(kc.ncluster, 2);
	for (size_t i = 0; i < 2; i++) {
		const sunset_kube_cluster *c = sunset_kubeconfig_cluster(&kc, clusters[i].cluster);
		if (!c)
			fail_msg("row %zu: cluster %s missing", i, clusters[i].cluster);
		assert_string_equal(c->server, clusters[i].server);
		assert_string_equal(c->origin, at(clusters[i].origin));
	}
	/* contexts and users: the first file's definition of a name wins */
	const sunset_kube_context *ctx = sunset_kubeconfig_context(&kc, "first");
	assert_non_null(ctx);
	assert_string_equal(ctx->cluster, "shared");
	assert_string_equal(ctx->user, "alice");
	assert_string_equal(ctx->namespace, "shop");
	assert_non_null(sunset_kubeconfig_context(&kc, "second"));
	const sunset_kube_user *alice = sunset_kubeconfig_user(&kc, "alice");
	assert_string_equal(alice->token, "from-a");
	assert_int_equal(kc.nuser, 4);
	sunset_kubeconfig_release(&kc);
}

static void current_context_from_first_that_sets_it(void **state)
{
	(void)state;
	static const struct {
		const char *files[3];
		const char *want;
	} rows[] = {
		{{"c.yaml", "sub/b.yaml", "a.yaml"}, "second"},
		{{"empty.yaml", "a.yaml", "sub/b.yaml"}, "first"},
		{{"c.yaml", "empty.yaml", NULL}, NULL},
	};
	for (size_t r = 0; r < sizeof(rows) / sizeof(rows[0]); r++) {
		sunset_kubeconfig kc;
		sunset_kubeconfig_init(&kc);
		char err[1024];
		for (size_t i = 0; i < 3 && rows[r].files[i]; i++)
			if (sunset_kubeconfig_merge_file(&kc, at(rows[r].files[i]), false, err, sizeof(err)) != 0)
				fail_msg("row %zu: %s", r, err);
		if (!rows[r].want ? kc.current_context != NULL
				  : !kc.current_context || strcmp(kc.current_context, rows[r].want) != 0)
			fail_msg("row %zu: current-context %s, want %s", r,
				 kc.current_context ? kc.current_context : "(none)", rows[r].want ? rows[r].want : "(none)");
		sunset_kubeconfig_release(&kc);
	}
}

static void relative_paths_and_fields(void **state)
{
	(void)state;
	sunset_kubeconfig kc;
	sunset_kubeconfig_init(&kc);
	char err[1024];
	assert_int_equal(sunset_kubeconfig_merge_file(&kc, at("a.yaml"), false, err, sizeof(err)), 0);
	assert_int_equal(sunset_kubeconfig_merge_file(&kc, at("sub/b.yaml"), false, err, sizeof(err)), 0);
	const sunset_kube_cluster *a = sunset_kubeconfig_cluster(&kc, "shared");
	assert_string_equal(a->ca_file, at("ca.crt"));
	const sunset_kube_cluster *b = sunset_kubeconfig_cluster(&kc, "only-b");
	assert_string_equal(b->ca_file, "/etc/abs/ca.crt");
	assert_int_equal(b->ca_len, 5);
	assert_memory_equal(b->ca_data, "hello", 5);
	assert_true(b->insecure);
	assert_string_equal(b->tls_server_name, "api.internal");
	assert_string_equal(b->proxy_url, "socks5://proxy:1080");
	const sunset_kube_user *bob = sunset_kubeconfig_user(&kc, "bob");
	assert_string_equal(bob->token_file, at("sub/tokens/bob"));
	assert_string_equal(bob->cert_file, at("sub/certs/bob.crt"));
	assert_string_equal(bob->key_file, "/abs/bob.key");
	assert_int_equal(bob->key_len, 3);
	assert_memory_equal(bob->key_data, "key", 3);
	assert_string_equal(bob->impersonate, "admin");
	assert_int_equal(bob->nimpersonate_groups, 2);
	assert_string_equal(bob->impersonate_groups[1], "dev");
	const sunset_kube_exec *x = sunset_kubeconfig_user(&kc, "plugin")->exec;
	assert_non_null(x);
	/* a command naming a path is relative to the file; a bare name is looked up on PATH */
	assert_string_equal(x->command, at("sub/./bin/get-token"));
	assert_string_equal(x->api_version, "client.authentication.k8s.io/v1");
	assert_int_equal(x->nargs, 2);
	assert_string_equal(x->args[0], "--cluster");
	assert_int_equal(x->nenv, 1);
	assert_string_equal(x->env[0], "REGION=eu");
	assert_string_equal(x->interactive_mode, "Never");
	assert_true(x->provide_cluster_info);
	assert_string_equal(sunset_kubeconfig_user(&kc, "plugin-on-path")->exec->command, "aws");
	sunset_kubeconfig_release(&kc);
}

static void kubeconfig_env(void **state)
{
	(void)state;
	char env[2048];
	snprintf(env, sizeof(env), "%s:%s:%s", at("missing.yaml"), at("sub/b.yaml"), at("a.yaml"));
	setenv("KUBECONFIG", env, 1);
	sunset_kubeconfig kc;
	sunset_kubeconfig_init(&kc);
	char err[1024];
	assert_int_equal(sunset_kubeconfig_load(&kc, NULL, err, sizeof(err)), 0);
	assert_string_equal(kc.current_context, "second");
	assert_string_equal(sunset_kubeconfig_cluster(&kc, "shared")->server, "https://b.example");
	assert_string_equal(sunset_kubeconfig_user(&kc, "alice")->token, "from-b");
	sunset_kubeconfig_release(&kc);

	/* --kubeconfig wins over KUBECONFIG and must exist */
	sunset_kubeconfig_init(&kc);
	assert_int_equal(sunset_kubeconfig_load(&kc, at("a.yaml"), err, sizeof(err)), 0);
	assert_string_equal(kc.current_context, "first");
	sunset_kubeconfig_release(&kc);
	sunset_kubeconfig_init(&kc);
	assert_int_equal(sunset_kubeconfig_load(&kc, at("missing.yaml"), err, sizeof(err)), -1);
	char want[1024];
	snprintf(want, sizeof(want), "%s: cannot read kubeconfig: No such file or directory", at("missing.yaml"));
	assert_string_equal(err, want);
	sunset_kubeconfig_release(&kc);

	/* only missing files: no kubeconfig at all (in-cluster may apply) */
	setenv("KUBECONFIG", at("missing.yaml"), 1);
	sunset_kubeconfig_init(&kc);
	assert_int_equal(sunset_kubeconfig_load(&kc, NULL, err, sizeof(err)), 1);
	sunset_kubeconfig_release(&kc);
	unsetenv("KUBECONFIG");
}

static void errors_with_positions(void **state)
{
	(void)state;
	static const struct {
		const char *text, *want;
	} rows[] = {
		{"clusters:\n- name: x\n  cluster:\n    server: [1, 2]\n",
		 "4:13: clusters \"x\": \"server\" must be a string"},
		{"users:\n- name: u\n  user:\n    client-key-data: \"not base64!\"\n",
		 "4:22: users \"u\": \"client-key-data\" is not valid base64"},
		{"clusters:\n- cluster: {server: x}\n", "2:3: clusters[0]: \"name\" is missing"},
		{"clusters: {a: b}\n", "1:11: kubeconfig: \"clusters\" must be a list"},
		{"clusters:\n- name: x\n  cluster:\n    insecure-skip-tls-verify: maybe\n",
		 "4:31: clusters \"x\": \"insecure-skip-tls-verify\" must be true or false"},
		{"users:\n- name: u\n  user:\n    exec: {command: x}\n",
		 "4:11: users \"u\": exec needs an \"apiVersion\""},
		{"- just\n- a list\n", "1:1: a kubeconfig is a mapping (apiVersion: v1, kind: Config)"},
		{"clusters:\n  - name: [x\n", NULL}, /* the YAML reader's own message */
	};
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		write_file("bad.yaml", rows[i].text);
		sunset_kubeconfig kc;
		sunset_kubeconfig_init(&kc);
		char err[1024] = "";
		int rc = sunset_kubeconfig_merge_file(&kc, at("bad.yaml"), false, err, sizeof(err));
		if (rc != -1)
			fail_msg("row %zu: rc %d, want -1", i, rc);
		char want[1024];
		snprintf(want, sizeof(want), "%s:%s", at("bad.yaml"), rows[i].want ? rows[i].want : "");
		if (rows[i].want ? strcmp(err, want) != 0 : strncmp(err, want, strlen(want)) != 0)
			fail_msg("row %zu: got \"%s\", want \"%s\"", i, err, want);
		sunset_kubeconfig_release(&kc);
	}
}

static void base64_rows(void **state)
{
	(void)state;
	static const struct {
		const char *in;
		int rc;
		const char *out;
	} rows[] = {
		{"aGVsbG8=", 0, "hello"}, {"aGVsbG8", 0, "hello"},   {"aGVs\nbG8=\n", 0, "hello"},
		{"", 0, ""},		  {"YQ==", 0, "a"},	     {"YWI=", 0, "ab"},
		{"Y", -1, NULL},	  {"YQ=x", -1, NULL},	     {"YQ===", -1, NULL},
		{"a-b_", -1, NULL},	  {"aGVsbG8=aGVs", -1, NULL},
	};
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		sunset_arena a;
		sunset_arena_init(&a, 0);
		char *out = NULL;
		size_t len = 0;
		int rc = sunset_base64_decode(&a, rows[i].in, strlen(rows[i].in), &out, &len);
		if (rc != rows[i].rc)
			fail_msg("row %zu \"%s\": rc %d, want %d", i, rows[i].in, rc, rows[i].rc);
		if (rc == 0 && (len != strlen(rows[i].out) || memcmp(out, rows[i].out, len) != 0))
			fail_msg("row %zu \"%s\": got \"%.*s\"", i, rows[i].in, (int)len, out);
		sunset_arena_release(&a);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(merge_first_wins),
		cmocka_unit_test(current_context_from_first_that_sets_it),
		cmocka_unit_test(relative_paths_and_fields),
		cmocka_unit_test(kubeconfig_env),
		cmocka_unit_test(errors_with_positions),
		cmocka_unit_test(base64_rows),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
