"""Tags: add, remove, describe, limits.

One server per TestCase class. Run from this folder:
    EULB_BIN_DIR=<build>/bin python3 -m unittest -v test_tags
"""

import unittest

from eulbtest import http_listener, listener_params, members
from lbcase import ApiAwsCliCase, ApiBadInputCase, ApiCliCase, tag_params


class CliTest(ApiCliCase):
    def test_create_tags(self):
        self.create_lb("c-tag")
        self.cli_ok("create-tags", "-t", "env=prod", "--tag", "flag",
                    "c-tag", out=[])
        self.assertEqual(self.tags("c-tag"),
                         {"c-tag": [("env", "prod"), ("flag", "")]})
        # An existing key gets the new value.
        self.cli_ok("create-tags", "-t", "env=dev", "c-tag", out=[])
        self.assertEqual(self.tags("c-tag"),
                         {"c-tag": [("env", "dev"), ("flag", "")]})
        # Every character the model's pattern allows, spaces included.
        self.cli_ok("create-tags", "-t", "a b_.:/+-@=x y_.:/=+-@", "c-tag",
                    out=[])
        self.assertEqual(self.tags("c-tag"),
                         {"c-tag": [("a b_.:/+-@", "x y_.:/=+-@"),
                                    ("env", "dev"), ("flag", "")]})
        self.server.call("RemoveTags", [("LoadBalancerNames.member.1",
                                         "c-tag")] +
                         tag_params("a b_.:/+-@", key_only=True))
        self.cli_fails("ValidationError", "create-tags", "-t", "aws:x=1",
                       "c-tag")
        self.cli_fails("LoadBalancerNotFound", "create-tags", "-t", "a=b",
                       "c-tag-nowhere")
        self.assertEqual(self.tags("c-tag"),
                         {"c-tag": [("env", "dev"), ("flag", "")]})

    def test_delete_tags(self):
        self.create_lb("c-untag", tags=[("env", "prod"), ("team", "web"),
                                        ("owner", "me")])
        self.cli_ok("delete-tags", "-t", "env", "c-untag", out=[])
        self.assertEqual(self.tags("c-untag"),
                         {"c-untag": [("owner", "me"), ("team", "web")]})
        self.cli_ok("delete-tags", "-t", "team", "--tag", "owner", "c-untag",
                    out=[])
        self.assertEqual(self.tags("c-untag"), {"c-untag": []})

    def test_describe_tags(self):
        self.create_lb("c-dtag-a", tags=[("env", "prod")])
        self.create_lb("c-dtag-b", tags=[("empty", "")])
        self.cli_ok("describe-tags", "c-dtag-a",
                    out=["TAG\tload-balancer\tc-dtag-a\tenv\tprod"])
        lines = self.cli_ok("describe-tags", "c-dtag-a", "c-dtag-b")
        self.assertEqual(sorted(lines), [
            "TAG\tload-balancer\tc-dtag-a\tenv\tprod",
            "TAG\tload-balancer\tc-dtag-b\tempty\t"])
        lines = self.cli_ok("describe-tags", "--show-headers",
                            "--show-empty-fields", "c-dtag-b", "c-dtag-a")
        self.assertEqual(lines[0], "TAG\tTYPE\tNAME\tKEY\tVALUE")
        self.assertEqual(sorted(lines[1:]), [
            "TAG\tload-balancer\tc-dtag-a\tenv\tprod",
            "TAG\tload-balancer\tc-dtag-b\tempty\t(nil)"])
        self.cli_fails("LoadBalancerNotFound", "describe-tags", "c-dtag-a",
                       "c-dtag-nowhere")

    def test_create_lb_with_tags(self):
        # CreateLoadBalancer takes tags too (eulb-create-lb -t).
        rc, out, err = self.server.cli(
            "create-lb", "-l", "protocol=HTTP,lb-port=80,instance-port=8080",
            "-z", "one", "-t", "env=prod", "-t", "flag", "c-create-tags")
        self.assertEqual((rc, err), (0, ""), out)
        self.assertEqual(self.tags("c-create-tags"),
                         {"c-create-tags": [("env", "prod"), ("flag", "")]})


class AwsCliTest(ApiAwsCliCase):
    def test_tags(self):
        self.create_lb("a-tags")
        self.create_lb("a-tags-2", tags=[("team", "web")])
        doc = self.aws_ok("add-tags", "--load-balancer-names", "a-tags",
                          "--tags", "Key=env,Value=prod", "Key=tier,Value=")
        self.assertIsNone(doc)  # AddTags answers an empty result
        doc = self.aws_ok("describe-tags", "--load-balancer-names", "a-tags",
                          "a-tags-2")
        got = {d["LoadBalancerName"]: sorted(d["Tags"],
                                             key=lambda t: t["Key"])
               for d in doc["TagDescriptions"]}
        self.assertEqual(got, {
            "a-tags": [{"Key": "env", "Value": "prod"},
                       {"Key": "tier", "Value": ""}],
            "a-tags-2": [{"Key": "team", "Value": "web"}]})
        self.assertEqual(len(doc["TagDescriptions"]), 2)
        # A one-member structure list takes the bare key in shorthand.
        self.aws_ok("remove-tags", "--load-balancer-names", "a-tags",
                    "--tags", "env")
        doc = self.aws_ok("describe-tags", "--load-balancer-names", "a-tags")
        self.assertEqual(doc, {"TagDescriptions": [{
            "LoadBalancerName": "a-tags",
            "Tags": [{"Key": "tier", "Value": ""}]}]})
        self.aws_fails("DuplicateTagKeys", "add-tags",
                       "--load-balancer-names", "a-tags", "--tags",
                       "Key=k,Value=1", "Key=k,Value=2")


class BadInputTest(ApiBadInputCase):
    def test_tag_length_bounds_accepted(self):
        self.create_lb("tag-bounds")
        self.add_tags("tag-bounds", ("k" * 128, "v" * 256))
        self.assertEqual(self.tags("tag-bounds"),
                         {"tag-bounds": [("k" * 128, "v" * 256)]})

    def test_tag_length_counts_characters(self):
        # The bounds count characters, not bytes: "é" is two bytes in
        # UTF-8, so these are 256 and 512 bytes.
        key, value = "é" * 128, "é" * 256
        self.create_lb("tag-chars")
        self.add_tags("tag-chars", (key, value))
        self.assertEqual(self.tags("tag-chars"),
                         {"tag-chars": [(key, value)]})
        # CreateLoadBalancer checks its tags the same way.
        self.create_lb("tag-chars-create", tags=[(key, value)])
        self.assertEqual(self.tags("tag-chars-create"),
                         {"tag-chars-create": [(key, value)]})
        for bad in (("é" * 129, "x"), ("k", "é" * 257)):
            with self.subTest(key=len(bad[0]), value=len(bad[1])):
                with self.assertNothingChanges("tag-chars"):
                    self.refused(400, "ValidationError", "AddTags",
                                 [("LoadBalancerNames.member.1",
                                   "tag-chars")] +
                                 tag_params(("fine", "1"), bad))
                with self.assertNothingChanges():
                    self.refused(400, "ValidationError",
                                 "CreateLoadBalancer",
                                 [("LoadBalancerName", "tag-chars-bad")] +
                                 listener_params(http_listener()) +
                                 members("AvailabilityZones", ["one"]) +
                                 tag_params(bad))

    # -- tags

    def test_eleventh_tag(self):
        with self.assertNothingChanges("tagged"):
            self.refused(400, "TooManyTags", "AddTags",
                         [("LoadBalancerNames.member.1", "tagged")] +
                         tag_params(("k10", "v")))
        # An existing key only changes a value: still 10 tags.
        self.add_tags("tagged", ("k0", "new"))
        self.assertEqual(len(self.tags("tagged")["tagged"]), 10)

    def test_eleven_tags_at_create(self):
        with self.assertNothingChanges():
            self.refused(400, "TooManyTags", "CreateLoadBalancer",
                         [("LoadBalancerName", "too-many-tags")] +
                         listener_params(http_listener()) +
                         members("AvailabilityZones", ["one"]) +
                         tag_params(*[("k%d" % i, "") for i in range(11)]))

    def test_duplicate_tag_key(self):
        with self.assertNothingChanges("single"):
            self.refused(400, "DuplicateTagKeys", "AddTags",
                         [("LoadBalancerNames.member.1", "single")] +
                         tag_params(("env", "a"), ("team", "b"),
                                    ("env", "c")))

    def test_bad_tags(self):
        cases = [("aws:name", "x"), ("", "x"), ("k" * 129, "x"),
                 ("bad*key", "x"), ("ok", "bad#value"), ("ok", "v" * 257)]
        for key, value in cases:
            with self.subTest(key=key[:20], value=value[:20]):
                with self.assertNothingChanges("single"):
                    self.refused(400, "ValidationError", "AddTags",
                                 [("LoadBalancerNames.member.1", "single")] +
                                 tag_params(("fine", "1"), (key, value)))

    def test_tags_on_two_load_balancers(self):
        for action in ("AddTags", "RemoveTags"):
            with self.subTest(action=action), \
                    self.assertNothingChanges("single", "tagged"):
                self.refused(400, "ValidationError", action,
                             members("LoadBalancerNames",
                                     ["single", "tagged"]) +
                             tag_params(("k0", "v")))

    def test_describe_tags_names(self):
        self.refused(400, "LoadBalancerNotFound", "DescribeTags",
                     members("LoadBalancerNames", ["single", "nowhere"]))
        self.refused(400, "ValidationError", "DescribeTags",
                     members("LoadBalancerNames", ["single"] * 21))
        self.assertEqual(set(self.tags(*["single"] * 20)), {"single"})


if __name__ == "__main__":
    unittest.main()
