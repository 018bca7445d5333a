"""IAM server certificates beyond upload: UpdateServerCertificate (rename
and path change, as `aws iam update-server-certificate` and
euare-servercertmod send it) and IAM's own XML namespace on every IAM
error (issue 12)."""

import unittest
import xml.etree.ElementTree as ET

import eulbtest as et
from policycase import (PolicyTestCase, cert_arn, https_listener,
                        setUpModule, tearDownModule)  # noqa: F401

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


if __name__ == "__main__":
    unittest.main()
