"""IAM server certificates beyond upload: UpdateServerCertificate (rename
and path change, as `aws iam update-server-certificate` and
euare-servercertmod send it), IAM's own XML namespace on every IAM
error (issue 12), and what bounds the certificates an account stores:
IAM's quota of 20 per account (--max-server-certificates, LimitExceeded)
and at most 10 certificates in a CertificateChain (MalformedCertificate,
counted before anything is parsed)."""

import unittest
import xml.etree.ElementTree as ET

import eulbtest as et
from policycase import (PolicyTestCase, cert_arn, https_listener,
                        read_cert, setUpModule,
                        tearDownModule)  # noqa: F401

IAM_NS = "https://iam.amazonaws.com/doc/2010-05-08/"


def error_namespace(body):
    tag = ET.fromstring(body).tag
    return tag[1:].split("}")[0] if tag.startswith("{") else ""


class UpdateServerCertificateTest(PolicyTestCase):
    def update(self, name, **kw):
        p = [("ServerCertificateName", name)]
        p += [(k, v) for k, v in kw.items()]
        return self.server.iam_call("UpdateServerCertificate", p)

    def metadata(self, name):
        body = self.ok(self.server.iam_call(
            "GetServerCertificate", [("ServerCertificateName", name)]))
        md = ET.fromstring(body).find(".//{*}ServerCertificateMetadata")
        return {c.tag.split("}")[1]: c.text for c in md}

    def test_rename_and_move_keep_the_id_and_move_the_arn(self):
        self.upload("upd1")
        before = self.metadata("upd1")
        self.ok(self.update("upd1", NewServerCertificateName="upd2",
                            NewPath="/web/"))
        after = self.metadata("upd2")
        self.assertEqual(after["ServerCertificateId"],
                         before["ServerCertificateId"])
        self.assertEqual(after["Path"], "/web/")
        self.assertEqual(after["Arn"], cert_arn(self.acct, "upd2", "/web/"))
        self.assertError(self.server.iam_call(
            "GetServerCertificate", [("ServerCertificateName", "upd1")]),
            404, "NoSuchEntity")

    def test_listeners_follow_the_certificate(self):
        self.upload("lsn1")
        self.create_lb("certmove", https_listener(cert_arn(self.acct,
                                                           "lsn1")))
        self.ok(self.update("lsn1", NewServerCertificateName="lsn2"))
        body = self.ok(self.server.describe("certmove"))
        ids = [e.text for e in ET.fromstring(body).iter()
               if e.tag.endswith("SSLCertificateId")]
        self.assertEqual(ids, [cert_arn(self.acct, "lsn2")])
        self.assertError(self.server.iam_call(
            "DeleteServerCertificate", [("ServerCertificateName", "lsn2")]),
            409, "DeleteConflict")

    def test_errors_change_nothing(self):
        self.upload("keep1")
        self.upload("keep2")
        with self.assertUnchanged():
            self.assertError(self.update("nosuch", NewPath="/x/"), 404,
                             "NoSuchEntity", "nosuch")
            self.assertError(self.update(
                "keep1", NewServerCertificateName="keep2"), 409,
                "EntityAlreadyExists", "keep2")
            self.assertError(self.update("keep1", NewPath="no-slash"), 400,
                             "ValidationError")
            self.assertError(self.update(
                "keep1", NewServerCertificateName="bad name"), 400,
                "ValidationError")
        self.assertEqual(self.metadata("keep1")["Path"], "/")

    def test_awscli_update_server_certificate(self):
        self.upload("cli1")
        rc, _, err = self.server.aws(
            "update-server-certificate", "--server-certificate-name", "cli1",
            "--new-server-certificate-name", "cli2", "--new-path", "/a/",
            service="iam")
        self.assertEqual(rc, 0, err)
        self.assertEqual(self.metadata("cli2")["Path"], "/a/")


class IamNamespaceTest(PolicyTestCase):
    def test_iam_errors_carry_iams_namespace(self):
        cases = [
            self.server.iam_call("GetServerCertificate",
                                 [("ServerCertificateName", "none")]),
            self.server.iam_call("GetServerCertificate",
                                 [("ServerCertificateName", "none")],
                                 creds=et.Creds(self.server.admin.access_key,
                                                "x" * 40, "")),
            self.server.iam_call("ListServerCertificates", sign=False),
        ]
        for status, _, body in cases:
            self.assertGreaterEqual(status, 400, body)
            self.assertEqual(error_namespace(body), IAM_NS, body)

    def test_elb_errors_keep_elbs_namespace(self):
        status, _, body = self.server.call("DescribeLoadBalancers",
                                           sign=False)
        self.assertEqual(status, 403)
        self.assertIn("elasticloadbalancing", error_namespace(body))


class CertificateQuotaTest(PolicyTestCase):
    """IAM's "server certificates per account: 20", by default."""

    QUOTA = 20

    def upload_params(self, name):
        return [("ServerCertificateName", name),
                ("CertificateBody", read_cert("backend.crt")),
                ("PrivateKey", read_cert("backend.key"))]

    def refused(self, name, status, code, part, *accounts):
        with self.assertUnchanged(*accounts):
            self.assertError(self.server.iam_call(
                "UploadServerCertificate", self.upload_params(name)),
                status, code, part)

    def test_the_21st_certificate_is_refused(self):
        other = self.server.create_account("quota-other")
        for i in range(self.QUOTA):
            self.upload("quota%d" % i)
        self.refused("quota%d" % self.QUOTA, 409, "LimitExceeded",
                     "ServerCertificatesPerAccount: %d" % self.QUOTA, other)
        # At the quota a name the account holds is still a clash.
        self.refused("quota0", 409, "EntityAlreadyExists", "quota0", other)
        # The quota is the account's: another one still uploads.
        self.upload("quota%d" % self.QUOTA, creds=other)
        # Deleting one makes room for one.
        self.ok(self.server.iam_call("DeleteServerCertificate",
                                     [("ServerCertificateName", "quota0")]))
        self.upload("quota%d" % self.QUOTA)
        self.refused("quota%d" % (self.QUOTA + 1), 409, "LimitExceeded",
                     "ServerCertificatesPerAccount", other)


class CertificateQuotaFlagTest(CertificateQuotaTest):
    """The same quota set by --max-server-certificates."""

    server_args = ("--max-server-certificates", "2")
    QUOTA = 2


class CertificateChainTest(PolicyTestCase):
    """CertificateChain holds at most 10 certificates: each is parsed and
    loaded into a TLS context, so a 1 MiB chain of a thousand certificates
    would hold a thread for a third of a second and its copies would grow
    the database without bound."""

    MAX = 10

    def chain(self, n):
        """n certificates: server.crt's issuer and its root, in turn."""
        certs = [read_cert("intermediate-ca.crt"), read_cert("root-ca.crt")]
        return "".join(certs[i % 2] for i in range(n))

    def upload_chain(self, name, chain):
        return self.server.iam_call("UploadServerCertificate", [
            ("ServerCertificateName", name),
            ("CertificateBody", read_cert("server.crt")),
            ("PrivateKey", read_cert("server.key")),
            ("CertificateChain", chain)])

    def assertNoCertificate(self, name):
        self.assertError(self.server.iam_call(
            "GetServerCertificate", [("ServerCertificateName", name)]),
            404, "NoSuchEntity")

    def test_the_longest_chain_is_accepted(self):
        chain = self.chain(self.MAX)
        self.assertEqual(chain.count("BEGIN CERTIFICATE"), self.MAX)
        self.ok(self.upload_chain("longest", chain))
        body = self.ok(self.server.iam_call(
            "GetServerCertificate", [("ServerCertificateName", "longest")]))
        got = ET.fromstring(body).find(".//{*}CertificateChain").text
        self.assertEqual(got.count("BEGIN CERTIFICATE"), self.MAX)

    def test_a_longer_chain_is_refused(self):
        for n in (self.MAX + 1, 500):
            with self.subTest(certificates=n), self.assertUnchanged():
                self.assertError(self.upload_chain("long", self.chain(n)),
                                 400, "MalformedCertificate",
                                 "more than %d certificates" % self.MAX)
            self.assertNoCertificate("long")

    def test_the_count_comes_before_parsing(self):
        # A broken 11th block would be refused as broken once parsed.
        broken = self.chain(self.MAX) + read_cert("root-ca.crt")[:-60]
        with self.assertUnchanged():
            self.assertError(self.upload_chain("broken", broken), 400,
                             "MalformedCertificate",
                             "more than %d certificates" % self.MAX)
        self.assertNoCertificate("broken")


if __name__ == "__main__":
    unittest.main()
