/*
 * eulb-servo's pure parts: haproxy.cfg from a DescribeLoadBalancersByServo
 * answer (HAProxy 2.6 Configuration Manual), the fail-closed rules of back-end
 * authentication, `show stat` to instance health, PublicKey values, and
 * the exact-certificate pin semantics of the verifier.
 */
#include <check.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "backend_auth.h"
#include "probe.h"
#include "render.h"
#include "report.h"
#include "util.h"
#include "check_run.h"

#define STATE "/state"

static const char FIXTURE[] =
    "{\"LoadBalancerName\":\"myloadbalancer\","
    "\"DNSName\":\"myloadbalancer-000000000001.lb.localhost\","
    "\"AccountId\":\"000000000001\","
    "\"ListenerDescriptions\":[{\"Listener\":{\"Protocol\":\"HTTPS\","
    "\"LoadBalancerPort\":443,\"InstanceProtocol\":\"HTTPS\","
    "\"InstancePort\":8443,\"SSLCertificateId\":\"arn:aws:iam::"
    "000000000001:server-certificate/mycert01\"},"
    "\"PolicyNames\":[\"tls12\"]}],"
    "\"PolicyDescriptions\":["
    "{\"PolicyName\":\"tls12\",\"PolicyTypeName\":"
    "\"SSLNegotiationPolicyType\",\"PolicyAttributeDescriptions\":["
    "{\"AttributeName\":\"Reference-Security-Policy\",\"AttributeValue\":"
    "\"ELBSecurityPolicy-TLS-1-2-2017-01\"},"
    "{\"AttributeName\":\"Protocol-TLSv1\",\"AttributeValue\":\"false\"},"
    "{\"AttributeName\":\"Protocol-TLSv1.1\",\"AttributeValue\":\"false\"},"
    "{\"AttributeName\":\"Protocol-TLSv1.2\",\"AttributeValue\":\"true\"},"
    "{\"AttributeName\":\"Server-Defined-Cipher-Order\","
    "\"AttributeValue\":\"true\"},"
    "{\"AttributeName\":\"ECDHE-RSA-AES256-GCM-SHA384\","
    "\"AttributeValue\":\"true\"},"
    "{\"AttributeName\":\"ECDHE-RSA-AES128-GCM-SHA256\","
    "\"AttributeValue\":\"true\"},"
    "{\"AttributeName\":\"AES128-SHA\",\"AttributeValue\":\"false\"}]},"
    "{\"PolicyName\":\"webservercert\",\"PolicyTypeName\":"
    "\"PublicKeyPolicyType\",\"PolicyAttributeDescriptions\":[]},"
    "{\"PolicyName\":\"webserverauthentication\",\"PolicyTypeName\":"
    "\"BackendServerAuthenticationPolicyType\","
    "\"PolicyAttributeDescriptions\":[{\"AttributeName\":"
    "\"PublicKeyPolicyName\",\"AttributeValue\":\"webservercert\"}]},"
    "{\"PolicyName\":\"lbcookie\",\"PolicyTypeName\":"
    "\"LBCookieStickinessPolicyType\",\"PolicyAttributeDescriptions\":["
    "{\"AttributeName\":\"CookieExpirationPeriod\",\"AttributeValue\":"
    "\"60\"}]},"
    "{\"PolicyName\":\"appcookie\",\"PolicyTypeName\":"
    "\"AppCookieStickinessPolicyType\",\"PolicyAttributeDescriptions\":["
    "{\"AttributeName\":\"CookieName\",\"AttributeValue\":\"SESSIONID\"}]},"
    "{\"PolicyName\":\"proxy\",\"PolicyTypeName\":"
    "\"ProxyProtocolPolicyType\",\"PolicyAttributeDescriptions\":["
    "{\"AttributeName\":\"ProxyProtocol\",\"AttributeValue\":\"true\"}]}],"
    "\"BackendServerDescriptions\":[{\"InstancePort\":8443,"
    "\"PolicyNames\":[\"webserverauthentication\"],\"PublicKeys\":[]}],"
    "\"HealthCheck\":{\"Target\":\"TCP:8443\",\"Interval\":30,"
    "\"Timeout\":5,\"UnhealthyThreshold\":3,\"HealthyThreshold\":2},"
    "\"LoadBalancerAttributes\":{\"ConnectionSettings\":{\"IdleTimeout\":"
    "60},\"ConnectionDraining\":{\"Enabled\":false,\"Timeout\":300}},"
    "\"BackendInstances\":["
    "{\"InstanceId\":\"i-00000001\",\"InstanceIpAddress\":\"10.0.0.1\","
    "\"State\":\"OutOfService\"},"
    "{\"InstanceId\":\"i-00000002\",\"InstanceIpAddress\":\"10.0.0.2\","
    "\"State\":\"OutOfService\"}]}";

static char *cert_a, *cert_b, *never;

static void
setup(void)
{
	cert_a = servo_never_cert(); /* any self-signed certificates do */
	cert_b = servo_never_cert();
	never = servo_never_cert();
	ck_assert_ptr_nonnull(cert_a);
	ck_assert_ptr_nonnull(cert_b);
}

static void
teardown(void)
{
	free(cert_a);
	free(cert_b);
	free(never);
}

static json_t *
fixture(void)
{
	json_error_t e;
	json_t *lb = json_loads(FIXTURE, 0, &e);
	ck_assert_msg(lb != NULL, "fixture: %s", e.text);
	json_t *ld =
	    json_array_get(json_object_get(lb, "ListenerDescriptions"), 0);
	json_object_set_new(ld, "ServerCertificate",
	                    json_pack("{s:s,s:s}", "CertificateBody", cert_a,
	                              "PrivateKey",
	                              "-----BEGIN PRIVATE KEY-----\nKEY\n"
	                              "-----END PRIVATE KEY-----\n"));
	return lb;
}

static void
set_public_key(json_t *lb, const char *value, int is_cert)
{
	json_t *b =
	    json_array_get(json_object_get(lb, "BackendServerDescriptions"), 0);
	json_array_append_new(json_object_get(b, "PublicKeys"),
	                      json_pack("{s:s,s:s,s:b}", "PolicyName",
	                                "webservercert", "PublicKey", value,
	                                "IsCertificate", is_cert));
}

static json_t *
listener(json_t *lb)
{
	return json_object_get(
	    json_array_get(json_object_get(lb, "ListenerDescriptions"), 0),
	    "Listener");
}

static void
render(const json_t *lb, const struct servo_pins *pins, struct servo_render *r)
{
	struct servo_render_in in = {"127.0.0.1", STATE, never, pins};
	ck_assert_int_eq(servo_render(lb, &in, r), 0);
}

/* The line of r's config that starts (after indentation) with prefix. */
static const char *
line_of(const struct servo_render *r, const char *prefix, char *out,
        size_t size)
{
	const char *p = buf_str(&r->cfg);
	while (p && *p) {
		const char *end = strchr(p, '\n');
		size_t len = end ? (size_t)(end - p) : strlen(p);
		const char *s = p;
		while (*s == ' ')
			s++;
		if (!strncmp(s, prefix, strlen(prefix)) &&
		    len - (size_t)(s - p) < size) {
			memcpy(out, s, len - (size_t)(s - p));
			out[len - (size_t)(s - p)] = '\0';
			return out;
		}
		p = end ? end + 1 : NULL;
	}
	return NULL;
}

/* The contents of the file the config names after "ca-file " on the
 * server line of id. */
static const char *
ca_of(const struct servo_render *r, const char *id)
{
	char prefix[64], line[4096];
	snprintf(prefix, sizeof prefix, "server %s ", id);
	ck_assert_ptr_nonnull(line_of(r, prefix, line, sizeof line));
	const char *ca = strstr(line, "ca-file " STATE "/");
	ck_assert_ptr_nonnull(ca);
	ca += strlen("ca-file " STATE "/");
	size_t n = strcspn(ca, " ");
	for (size_t i = 0; i < r->nfiles; i++)
		if (strlen(r->files[i].path) == n &&
		    !strncmp(r->files[i].path, ca, n))
			return r->files[i].data;
	ck_abort_msg("no file for %.*s", (int)n, ca);
	return NULL;
}

static char *
spki_base64(const char *cert_pem)
{
	BIO *in = BIO_new_mem_buf(cert_pem, -1), *out = BIO_new(BIO_s_mem());
	X509 *x = PEM_read_bio_X509(in, NULL, NULL, NULL);
	char *data;
	PEM_write_bio_PUBKEY(out, X509_get0_pubkey(x));
	long n = BIO_get_mem_data(out, &data);
	struct buf b = BUF_INIT;
	for (long i = 0; i < n;) {
		const char *nl = memchr(data + i, '\n', (size_t)(n - i));
		long len = nl ? nl - (data + i) : n - i;
		if (strncmp(data + i, "-----", 5))
			buf_append(&b, data + i, (size_t)len);
		i += len + 1;
	}
	X509_free(x);
	BIO_free(in);
	BIO_free(out);
	return buf_steal(&b);
}

START_TEST(test_guide_pins_certificate)
{
	json_t *lb = fixture();
	struct servo_pins pins = {0};
	struct servo_render r;
	char line[4096];
	set_public_key(lb, cert_a, 1);
	servo_pins_add(&pins, "i-00000001", 8443, 0, NULL, NULL);
	servo_pins_add(&pins, "i-00000002", 8443, 1, "no match", NULL);
	render(lb, &pins, &r);
	ck_assert_ptr_nonnull(
	    strstr(buf_str(&r.cfg), "\nfrontend myloadbalancer-https-443\n"));
	ck_assert_ptr_nonnull(line_of(&r, "bind ", line, sizeof line));
	ck_assert_msg(!strncmp(line,
	                       "bind 127.0.0.1:443 ssl crt " STATE
	                       "/certs/listener-443-",
	                       47),
	              "%s", line);
	ck_assert_ptr_nonnull(strstr(line,
	                             ".pem ssl-min-ver TLSv1.2 ssl-max-ver "
	                             "TLSv1.2 ciphers ECDHE-RSA-AES256-GCM-"
	                             "SHA384:ECDHE-RSA-AES128-GCM-SHA256"));
	ck_assert_ptr_null(strstr(line, "SECLEVEL"));
	ck_assert_ptr_null(strstr(line, "AES128-SHA:"));
	ck_assert_ptr_nonnull(
	    line_of(&r, "server i-00000001 ", line, sizeof line));
	ck_assert_ptr_nonnull(strstr(line, "10.0.0.1:8443 ssl verify required "
	                                   "ca-file " STATE "/backend-auth/"
	                                   "port-8443-"));
	ck_assert_msg(strstr(line, ".pem check") && !strstr(line, "disabled"),
	              "%s", line);
	ck_assert_ptr_nonnull(
	    line_of(&r, "server i-00000002 ", line, sizeof line));
	ck_assert_ptr_nonnull(strstr(line, " check disabled"));
	ck_assert_ptr_null(strstr(buf_str(&r.cfg), "verify none"));
	ck_assert_str_eq(ca_of(&r, "i-00000001"), cert_a);
	ck_assert_str_eq(ca_of(&r, "i-00000002"), cert_a);
	ck_assert_uint_eq(r.nfiles, 2);
	ck_assert_uint_eq(r.nservers, 2);
	ck_assert_ptr_nonnull(strstr(r.files[0].data, "PRIVATE KEY"));
	servo_render_free(&r);
	servo_pins_free(&pins);
	json_decref(lb);
}
END_TEST

START_TEST(test_key_only_pins_what_was_seen)
{
	json_t *lb = fixture();
	struct servo_pins pins = {0};
	struct servo_render r;
	char line[4096], *key = spki_base64(cert_a);
	set_public_key(lb, key, 0);
	servo_pins_add(&pins, "i-00000001", 8443, 0, NULL, cert_a);
	servo_pins_add(&pins, "i-00000002", 8443, 1, "other key", NULL);
	render(lb, &pins, &r);
	ck_assert_str_eq(ca_of(&r, "i-00000001"), cert_a);
	ck_assert_str_eq(ca_of(&r, "i-00000002"), never);
	ck_assert_ptr_nonnull(
	    line_of(&r, "server i-00000002 ", line, sizeof line));
	ck_assert_ptr_nonnull(strstr(line, " disabled"));
	ck_assert_ptr_null(strstr(buf_str(&r.cfg), "verify none"));
	servo_render_free(&r);

	/* Without any decision (no probe ran) nothing can match. */
	render(lb, NULL, &r);
	ck_assert_str_eq(ca_of(&r, "i-00000001"), never);
	ck_assert_ptr_nonnull(
	    line_of(&r, "server i-00000001 ", line, sizeof line));
	ck_assert_ptr_nonnull(strstr(line, " disabled"));
	servo_render_free(&r);
	servo_pins_free(&pins);
	free(key);
	json_decref(lb);
}
END_TEST

START_TEST(test_auth_without_keys_fails_closed)
{
	json_t *lb = fixture(); /* the policy reaches no PublicKey */
	struct servo_render r;
	char line[4096];
	render(lb, NULL, &r);
	ck_assert_str_eq(ca_of(&r, "i-00000002"), never);
	ck_assert_ptr_nonnull(
	    line_of(&r, "server i-00000002 ", line, sizeof line));
	ck_assert_ptr_nonnull(strstr(line, " disabled"));
	ck_assert_ptr_null(strstr(buf_str(&r.cfg), "verify none"));
	servo_render_free(&r);
	json_decref(lb);
}
END_TEST

START_TEST(test_without_auth)
{
	json_t *lb = fixture();
	struct servo_render r;
	char line[4096];
	json_object_set_new(lb, "BackendServerDescriptions", json_array());
	/* A repeated instance would be a duplicate server name. */
	json_array_append(
	    json_object_get(lb, "BackendInstances"),
	    json_array_get(json_object_get(lb, "BackendInstances"), 0));
	render(lb, NULL, &r);
	const char *first = strstr(buf_str(&r.cfg), "server i-00000001 ");
	ck_assert_ptr_nonnull(first);
	ck_assert_ptr_null(strstr(first + 1, "server i-00000001 "));
	ck_assert_uint_eq(r.nservers, 2);
	ck_assert_str_eq(
	    line_of(&r, "server i-00000001 ", line, sizeof line),
	    "server i-00000001 10.0.0.1:8443 ssl verify none check");
	servo_render_free(&r);
	json_object_set_new(listener(lb), "InstanceProtocol",
	                    json_string("HTTP"));
	render(lb, NULL, &r);
	ck_assert_str_eq(line_of(&r, "server i-00000001 ", line, sizeof line),
	                 "server i-00000001 10.0.0.1:8443 check");
	servo_render_free(&r);
	json_decref(lb);
}
END_TEST

START_TEST(test_legacy_protocols_and_client_order)
{
	json_t *lb = fixture();
	json_t *attrs = json_object_get((json_t *)servo_policy(lb, "tls12"),
	                                "PolicyAttributeDescriptions");
	struct servo_render r;
	char line[4096];
	json_object_set_new(json_array_get(attrs, 1), "AttributeValue",
	                    json_string("true"));
	json_object_set_new(json_array_get(attrs, 4), "AttributeValue",
	                    json_string("false"));
	render(lb, NULL, &r);
	ck_assert_ptr_nonnull(line_of(&r, "bind ", line, sizeof line));
	ck_assert_msg(strstr(line, " ssl-min-ver TLSv1.0 ssl-max-ver TLSv1.2 "
	                           "ciphers ECDHE-RSA-AES256-GCM-SHA384:ECDHE-"
	                           "RSA-AES128-GCM-SHA256:@SECLEVEL=0 "
	                           "prefer-client-ciphers"),
	              "%s", line);
	servo_render_free(&r);
	json_decref(lb);
}
END_TEST

START_TEST(test_stickiness)
{
	json_t *lb = fixture();
	json_t *names = json_object_get(
	    json_array_get(json_object_get(lb, "ListenerDescriptions"), 0),
	    "PolicyNames");
	struct servo_render r;
	char line[4096];
	json_object_set_new(listener(lb), "Protocol", json_string("HTTP"));
	json_object_set_new(listener(lb), "InstanceProtocol",
	                    json_string("HTTP"));
	json_array_append_new(names, json_string("appcookie"));
	json_array_append_new(names, json_string("lbcookie"));
	render(lb, NULL, &r);
	ck_assert_str_eq(line_of(&r, "cookie ", line, sizeof line),
	                 "cookie AWSELB insert indirect nocache maxidle 60s "
	                 "maxlife 60s");
	ck_assert_ptr_null(strstr(buf_str(&r.cfg), "stick"));
	ck_assert_str_eq(line_of(&r, "server i-00000002 ", line, sizeof line),
	                 "server i-00000002 10.0.0.2:8443 check cookie "
	                 "i-00000002");
	ck_assert_ptr_null(strstr(buf_str(&r.cfg), " ssl "));
	servo_render_free(&r);
	json_array_remove(names, 2);
	render(lb, NULL, &r);
	ck_assert_str_eq(line_of(&r, "stick on ", line, sizeof line),
	                 "stick on req.cook(SESSIONID)");
	ck_assert_ptr_null(strstr(buf_str(&r.cfg), "AWSELB"));
	servo_render_free(&r);
	json_decref(lb);
}
END_TEST

START_TEST(test_proxy_protocol_and_health_targets)
{
	json_t *lb = fixture();
	json_t *hc = json_object_get(lb, "HealthCheck");
	json_t *b =
	    json_array_get(json_object_get(lb, "BackendServerDescriptions"), 0);
	struct servo_render r;
	char line[4096];
	json_object_set_new(b, "PolicyNames", json_pack("[s]", "proxy"));
	json_object_set_new(hc, "Target", json_string("HTTP:80/a b#c\"d"));
	render(lb, NULL, &r);
	ck_assert_str_eq(line_of(&r, "http-check send", line, sizeof line),
	                 "http-check send meth GET uri /a%20b%23c%22d ver "
	                 "HTTP/1.1 hdr Host "
	                 "myloadbalancer-000000000001.lb.localhost");
	ck_assert_str_eq(line_of(&r, "server i-00000001 ", line, sizeof line),
	                 "server i-00000001 10.0.0.1:8443 ssl verify none "
	                 "send-proxy check port 80");
	ck_assert_str_eq(line_of(&r, "default-server", line, sizeof line),
	                 "default-server inter 30s fall 3 rise 2");
	servo_render_free(&r);
	json_object_set_new(hc, "Target", json_string("SSL:9443"));
	json_object_set_new(listener(lb), "InstanceProtocol",
	                    json_string("HTTP"));
	render(lb, NULL, &r);
	ck_assert_str_eq(line_of(&r, "server i-00000001 ", line, sizeof line),
	                 "server i-00000001 10.0.0.1:8443 send-proxy check "
	                 "port 9443 check-ssl verify none");
	servo_render_free(&r);
	json_object_set_new(hc, "Target", json_string("TCP:8443"));
	render(lb, NULL, &r);
	ck_assert_str_eq(line_of(&r, "server i-00000001 ", line, sizeof line),
	                 "server i-00000001 10.0.0.1:8443 send-proxy check "
	                 "check-send-proxy");
	servo_render_free(&r);
	json_object_set_new(hc, "Target", json_string("FTP:21"));
	render(lb, NULL, &r);
	ck_assert_str_eq(line_of(&r, "server i-00000001 ", line, sizeof line),
	                 "server i-00000001 10.0.0.1:8443 send-proxy");
	ck_assert_ptr_null(strstr(buf_str(&r.cfg), "default-server"));
	servo_render_free(&r);
	json_decref(lb);
}
END_TEST

START_TEST(test_unsafe_values_stay_out)
{
	json_t *lb = fixture();
	json_t *inst = json_object_get(lb, "BackendInstances");
	struct servo_render r;
	json_object_set_new(json_array_get(inst, 0), "InstanceId",
	                    json_string("i-1\n    server evil 1.2.3.4:1"));
	json_object_set_new(json_array_get(inst, 1), "InstanceIpAddress",
	                    json_string("10.0.0.2 verify none"));
	json_object_set_new(
	    (json_t *)json_array_get(
	        json_object_get((json_t *)servo_policy(lb, "appcookie"),
	                        "PolicyAttributeDescriptions"),
	        0),
	    "AttributeValue", json_string("a b"));
	json_array_append_new(
	    json_object_get(
	        json_array_get(json_object_get(lb, "ListenerDescriptions"), 0),
	        "PolicyNames"),
	    json_string("appcookie"));
	json_object_set_new(listener(lb), "Protocol", json_string("HTTP"));
	render(lb, NULL, &r);
	ck_assert_ptr_null(strstr(buf_str(&r.cfg), "evil"));
	ck_assert_ptr_null(strstr(buf_str(&r.cfg), "\n    server "));
	ck_assert_ptr_null(strstr(buf_str(&r.cfg), "stick"));
	servo_render_free(&r);
	json_object_set_new(lb, "LoadBalancerName", json_string("bad name"));
	struct servo_render_in in = {"127.0.0.1", STATE, never, NULL};
	ck_assert_int_eq(servo_render(lb, &in, &r), -1);
	servo_render_free(&r);
	json_decref(lb);
}
END_TEST

static void
set_attr(json_t *lb, const char *policy, const char *name, const char *value)
{
	json_t *attrs = json_object_get((json_t *)servo_policy(lb, policy),
	                                "PolicyAttributeDescriptions");
	size_t i;
	json_t *a;
	json_array_foreach(attrs, i, a)
	{
		if (!strcmp(sj_str(a, "AttributeName"), name)) {
			json_object_set_new(a, "AttributeValue",
			                    json_string(value));
			return;
		}
	}
	json_array_append_new(attrs, json_pack("{s:s,s:s}", "AttributeName",
	                                       name, "AttributeValue", value));
}

/* Rows stored before eulbd checked these values: each is left out or
 * bounded, never written as HAProxy would refuse it. */
START_TEST(test_values_haproxy_refuses)
{
	json_t *lb = fixture();
	json_t *names = json_object_get(
	    json_array_get(json_object_get(lb, "ListenerDescriptions"), 0),
	    "PolicyNames");
	json_t *hc = json_object_get(lb, "HealthCheck");
	struct servo_render r;
	char line[4096];
	json_object_set_new(listener(lb), "Protocol", json_string("HTTP"));
	json_array_append_new(names, json_string("appcookie"));
	static const char *const bad_names[] = {"a#b",  "a'b",  "a b", "a\nb",
	                                        "a\"b", "a(b)", ""};
	for (size_t i = 0; i < sizeof bad_names / sizeof *bad_names; i++) {
		set_attr(lb, "appcookie", "CookieName", bad_names[i]);
		render(lb, NULL, &r);
		ck_assert_msg(!strstr(buf_str(&r.cfg), "stick"), "%s: %s",
		              bad_names[i], buf_str(&r.cfg));
		servo_render_free(&r);
	}
	set_attr(lb, "appcookie", "CookieName", "a!$%&*+-.^_`|~Z9");
	render(lb, NULL, &r);
	ck_assert_str_eq(line_of(&r, "stick on ", line, sizeof line),
	                 "stick on req.cook(a!$%&*+-.^_`|~Z9)");
	servo_render_free(&r);

	json_array_append_new(names, json_string("lbcookie"));
	static const char *const periods[][2] = {
	    {"999999999999999999", " maxidle 2147483647s maxlife 2147483647s"},
	    {"99999999999999999999999", " maxidle 2147483647s maxlife "
	                                "2147483647s"},
	    {"2147483647", " maxidle 2147483647s maxlife 2147483647s"},
	    {"12abc", ""},
	    {"-5", ""}};
	for (size_t i = 0; i < sizeof periods / sizeof *periods; i++) {
		char want[128];
		set_attr(lb, "lbcookie", "CookieExpirationPeriod",
		         periods[i][0]);
		render(lb, NULL, &r);
		snprintf(want, sizeof want,
		         "cookie AWSELB insert indirect nocache%s",
		         periods[i][1]);
		ck_assert_str_eq(line_of(&r, "cookie ", line, sizeof line),
		                 want);
		servo_render_free(&r);
	}

	json_object_set_new(hc, "Interval", json_integer(99999999999LL));
	json_object_set_new(hc, "Timeout", json_string("99999999999"));
	json_object_set_new(hc, "HealthyThreshold", json_integer(1LL << 40));
	json_object_set_new(lb, "AccountId",
	                    json_string("1)\nglobal\n    daemon #"));
	render(lb, NULL, &r);
	ck_assert_str_eq(line_of(&r, "default-server", line, sizeof line),
	                 "default-server inter 2147483s fall 3 rise "
	                 "2147483647");
	ck_assert_ptr_nonnull(
	    strstr(buf_str(&r.cfg), "\n    timeout check 2147483s\n"));
	ck_assert_ptr_null(strstr(buf_str(&r.cfg), "daemon"));
	ck_assert_ptr_nonnull(strstr(buf_str(&r.cfg), "(account ?)"));
	servo_render_free(&r);
	json_decref(lb);
}
END_TEST

/* An SSL policy HAProxy's OpenSSL cannot serve leaves its listener out
 * rather than stopping the whole file from loading. */
START_TEST(test_unusable_ssl_policy_skips_listener)
{
	json_t *lb = fixture();
	struct servo_render r;
	set_attr(lb, "tls12", "ECDHE-RSA-AES256-GCM-SHA384", "false");
	set_attr(lb, "tls12", "ECDHE-RSA-AES128-GCM-SHA256", "false");
	set_attr(lb, "tls12", "EXP-KRB5-RC4-MD5", "true");
	render(lb, NULL, &r);
	ck_assert_ptr_null(strstr(buf_str(&r.cfg), "frontend"));
	ck_assert_ptr_null(strstr(buf_str(&r.cfg), "EXP-KRB5"));
	servo_render_free(&r);
	set_attr(lb, "tls12", "AES128-SHA", "true");
	render(lb, NULL, &r);
	ck_assert_ptr_nonnull(
	    strstr(buf_str(&r.cfg), "ciphers AES128-SHA:EXP-KRB5-RC4-MD5\n"));
	servo_render_free(&r);
	set_attr(lb, "tls12", "Protocol-TLSv1.2", "false");
	set_attr(lb, "tls12", "Protocol-SSLv3", "true");
	render(lb, NULL, &r);
	ck_assert_ptr_null(strstr(buf_str(&r.cfg), "frontend"));
	servo_render_free(&r);
	json_decref(lb);
}
END_TEST

START_TEST(test_attributes_deterministic_and_gone)
{
	json_t *lb = fixture();
	json_t *attrs = json_object_get(lb, "LoadBalancerAttributes");
	struct servo_render r1, r2;
	char line[256];
	json_object_set_new(json_object_get(attrs, "ConnectionSettings"),
	                    "IdleTimeout", json_integer(5000));
	json_object_set_new(
	    attrs, "ConnectionDraining",
	    json_pack("{s:b,s:i}", "Enabled", 1, "Timeout", 45));
	render(lb, NULL, &r1);
	render(lb, NULL, &r2);
	ck_assert_str_eq(buf_str(&r1.cfg), buf_str(&r2.cfg));
	ck_assert_str_eq(line_of(&r1, "hard-stop-after", line, sizeof line),
	                 "hard-stop-after 45s");
	ck_assert_str_eq(line_of(&r1, "timeout client", line, sizeof line),
	                 "timeout client 3600s");
	servo_render_free(&r1);
	servo_render_free(&r2);
	render(NULL, NULL, &r1);
	ck_assert_ptr_null(strstr(buf_str(&r1.cfg), "frontend"));
	ck_assert_ptr_nonnull(
	    strstr(buf_str(&r1.cfg), "stats socket " STATE "/haproxy.sock"));
	servo_render_free(&r1);
	json_decref(lb);
}
END_TEST

START_TEST(test_health_from_show_stat)
{
	json_t *lb = fixture();
	json_t *inst = json_object_get(lb, "BackendInstances");
	struct servo_pins pins = {0};
	struct servo_health *h;
	size_t n;
	json_array_append_new(inst,
	                      json_pack("{s:s,s:s}", "InstanceId", "i-00000003",
	                                "InstanceIpAddress", "10.0.0.3"));
	json_array_append_new(inst,
	                      json_pack("{s:s,s:s}", "InstanceId", "i-00000004",
	                                "InstanceIpAddress", "10.0.0.4"));
	json_array_append_new(inst,
	                      json_pack("{s:s}", "InstanceId", "i-00000005"));
	const char *csv =
	    "# pxname,svname,qcur,status,check_status,last_chk,check_desc,\n"
	    "myloadbalancer-https-443,FRONTEND,,OPEN,,,,\n"
	    "myloadbalancer-https-443,i-00000001,0,UP,L6OK,,Layer6 check "
	    "passed,\n"
	    "myloadbalancer-https-443,i-00000002,0,DOWN,L4CON,Connection "
	    "refused,Layer4 connection problem,\n"
	    "myloadbalancer-https-443,i-00000003,0,UP 1/2,INI,,"
	    "Initializing,\n"
	    "other-https-443,i-00000004,0,DOWN,L4CON,x,y,\n"
	    "myloadbalancer-https-443,i-00000004,0,MAINT,,,,\n";
	servo_pins_add(&pins, "i-00000004", 8443, 1, "presents the wrong key",
	               NULL);
	servo_health(lb, csv, &pins, &h, &n);
	ck_assert_uint_eq(n, 4);
	ck_assert_str_eq(h[0].instance_id, "i-00000001");
	ck_assert_str_eq(h[0].state, "InService");
	ck_assert_ptr_null(h[0].description);
	ck_assert_str_eq(h[1].instance_id, "i-00000002");
	ck_assert_str_eq(h[1].state, "OutOfService");
	ck_assert_str_eq(h[1].reason_code, "Instance");
	ck_assert_str_eq(h[1].description,
	                 "Instance has failed at least the UnhealthyThreshold "
	                 "number of health checks consecutively. (HAProxy "
	                 "myloadbalancer-https-443: DOWN L4CON, Layer4 "
	                 "connection problem): Connection refused");
	ck_assert_str_eq(h[2].instance_id, "i-00000004");
	ck_assert_str_eq(h[2].description, "presents the wrong key");
	ck_assert_str_eq(h[3].instance_id, "i-00000005");
	ck_assert_str_eq(h[3].reason_code, "ELB");
	servo_health_free(h, n);
	servo_pins_free(&pins);
	json_decref(lb);
}
END_TEST

START_TEST(test_public_key_values)
{
	char fp_cert[65], fp_key[65], fp_bare[65], *pem = NULL, *pem2 = NULL;
	char *key = spki_base64(cert_a);
	ck_assert_int_eq(servo_public_key(cert_a, fp_cert, &pem), 0);
	ck_assert_str_eq(pem, cert_a);
	free(pem);
	/* The bare base64 of the certificate, as the CLI tools allow. */
	struct buf bare = BUF_INIT;
	for (const char *p = cert_a; *p; p++)
		if (*p != '\n')
			buf_putc(&bare, *p);
	char *b64 = strstr(bare.data, "-----BEGIN CERTIFICATE-----") +
	            strlen("-----BEGIN CERTIFICATE-----");
	*strstr(b64, "-----END") = '\0';
	ck_assert_int_eq(servo_public_key(b64, fp_bare, &pem2), 0);
	ck_assert_str_eq(pem2, cert_a);
	ck_assert_int_eq(servo_public_key(key, fp_key, &pem), 0);
	ck_assert_ptr_null(pem);
	ck_assert_str_eq(fp_key, fp_cert);
	ck_assert_str_eq(fp_bare, fp_cert);
	ck_assert_int_eq(servo_public_key("not a key", fp_key, &pem), -1);
	free(pem2);
	free(key);
	buf_free(&bare);
}
END_TEST

static void
seen_of(const char *pem, struct servo_seen_cert *seen)
{
	BIO *in = BIO_new_mem_buf(pem, -1);
	memset(seen, 0, sizeof *seen);
	seen->chain = sk_X509_new_null();
	sk_X509_push(seen->chain, PEM_read_bio_X509(in, NULL, NULL, NULL));
	seen->pem = xstrdup(pem);
	BIO_free(in);
}

START_TEST(test_verify_is_an_exact_pin)
{
	struct servo_seen_cert seen;
	char why[256];
	const char *a[] = {cert_a}, *b[] = {cert_b}, *ab[] = {cert_b, cert_a};
	seen_of(cert_a, &seen);
	ck_assert_int_eq(servo_verify(&seen, a, 1, why, sizeof why), 0);
	ck_assert_int_eq(servo_verify(&seen, b, 1, why, sizeof why), -1);
	ck_assert_ptr_nonnull(strstr(why, "self-signed"));
	/* Same subject, no key identifiers: OpenSSL (so HAProxy) only ever
	 * tries the first, which is why servo_auth_decide pins one alone. */
	ck_assert_int_eq(servo_verify(&seen, ab, 2, why, sizeof why), -1);
	servo_seen_free(&seen);
}
END_TEST

static void
port_auth(struct servo_port_auth *a, const char *c1, const char *c2,
          const char *key_of)
{
	memset(a, 0, sizeof *a);
	a->port = 8443;
	a->enabled = 1;
	a->auth_names = xstrdup("auth");
	a->key_names = xstrdup("pk");
	a->certs = xcalloc(2, sizeof *a->certs);
	if (c1)
		a->certs[a->ncerts++] = xstrdup(c1);
	if (c2)
		a->certs[a->ncerts++] = xstrdup(c2);
	if (key_of) {
		char *pem;
		a->keys = xcalloc(1, sizeof *a->keys);
		ck_assert_int_eq(servo_public_key(key_of, a->keys[0], &pem), 0);
		free(pem);
		a->nkeys = 1;
	}
}

START_TEST(test_auth_decisions)
{
	struct servo_port_auth a;
	struct servo_seen_cert seen;
	struct servo_seen_cache cache = {0};
	struct servo_pins pins = {0};
	char *unused;
	seen_of(cert_a, &seen);
	ck_assert_int_eq(servo_public_key(cert_a, seen.fingerprint, &unused),
	                 0);
	free(unused);
	snprintf(seen.subject, sizeof seen.subject, "/CN=a");

	port_auth(&a, cert_b, cert_a, NULL); /* the set fails, one passes */
	servo_auth_decide(&a, "i-1", "k1", &seen, &cache, &pins);
	ck_assert_int_eq(pins.v[0].fail, 0);
	ck_assert_str_eq(pins.v[0].pem, cert_a);
	servo_port_auth_free(&a);

	port_auth(&a, NULL, NULL, cert_a); /* key only: pin what was seen */
	servo_auth_decide(&a, "i-2", "k2", &seen, &cache, &pins);
	ck_assert_int_eq(pins.v[1].fail, 0);
	ck_assert_str_eq(pins.v[1].pem, cert_a);
	ck_assert_uint_eq(cache.n, 1);
	servo_port_auth_free(&a);

	port_auth(&a, cert_b, NULL, cert_b); /* nothing matches */
	servo_auth_decide(&a, "i-2", "k2", &seen, &cache, &pins);
	ck_assert_int_eq(pins.v[2].fail, 1);
	ck_assert_ptr_null(pins.v[2].pem);
	ck_assert_ptr_nonnull(strstr(pins.v[2].reason, "policy auth (pk)"));
	ck_assert_uint_eq(cache.n, 0);
	ck_assert_ptr_eq(servo_pins_find(&pins, "i-1", 8443), &pins.v[0]);
	ck_assert_ptr_null(servo_pins_find(&pins, "i-1", 443));
	servo_port_auth_free(&a);
	servo_pins_free(&pins);
	servo_seen_cache_free(&cache);
	servo_seen_free(&seen);
}
END_TEST

static Suite *
servo_suite(void)
{
	Suite *s = suite_create("servo");
	TCase *tc = tcase_create("render");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_guide_pins_certificate);
	tcase_add_test(tc, test_key_only_pins_what_was_seen);
	tcase_add_test(tc, test_auth_without_keys_fails_closed);
	tcase_add_test(tc, test_without_auth);
	tcase_add_test(tc, test_legacy_protocols_and_client_order);
	tcase_add_test(tc, test_stickiness);
	tcase_add_test(tc, test_proxy_protocol_and_health_targets);
	tcase_add_test(tc, test_unsafe_values_stay_out);
	tcase_add_test(tc, test_values_haproxy_refuses);
	tcase_add_test(tc, test_unusable_ssl_policy_skips_listener);
	tcase_add_test(tc, test_attributes_deterministic_and_gone);
	suite_add_tcase(s, tc);
	TCase *rep = tcase_create("report and keys");
	tcase_add_checked_fixture(rep, setup, teardown);
	tcase_add_test(rep, test_health_from_show_stat);
	tcase_add_test(rep, test_public_key_values);
	tcase_add_test(rep, test_verify_is_an_exact_pin);
	tcase_add_test(rep, test_auth_decisions);
	suite_add_tcase(s, rep);
	return s;
}

int
main(void)
{
	return check_run(servo_suite());
}
