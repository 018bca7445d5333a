"""Secrets at rest: access-key secrets and server-certificate private keys
are sealed under the master key, so the database file alone reveals none;
rotation re-seals them; a missing key is refused, not silently replaced."""

import os
import shutil
import subprocess
import tempfile
import unittest

import eulbtest as et

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))


def key_body(pem):
    """The base64 lines of a PEM, joined: what a leak would contain."""
    return "".join(l for l in pem.splitlines() if not l.startswith("-----"))


class SecretsAtRestTest(unittest.TestCase):
    def setUp(self):
        self.pki = tempfile.mkdtemp(prefix="eulb-pki-")
        subprocess.run([os.path.join(REPO, "scripts", "gen-certs"),
                        self.pki], check=True, capture_output=True,
                       timeout=120)
        self.server = et.Server().start()

    def tearDown(self):
        self.server.close()
        shutil.rmtree(self.pki, ignore_errors=True)

    def db_bytes(self):
        data = b""
        for suffix in ("", "-wal"):
            p = self.server.db + suffix
            if os.path.exists(p):
                with open(p, "rb") as f:
                    data += f.read()
        return data

    def upload(self):
        with open(os.path.join(self.pki, "backend.key")) as f:
            key = f.read()
        rc, out, err = self.server.cli(
            "euare-servercertupload", "-s", "c1", "--certificate-file",
            os.path.join(self.pki, "backend.crt"), "--private-key-file",
            os.path.join(self.pki, "backend.key"))
        self.assertEqual(rc, 0, err)
        return key

    def test_the_database_file_holds_no_secret(self):
        other = self.server.create_account("other")
        key = self.upload()
        data = self.db_bytes()
        for secret in (self.server.admin.secret_key, other.secret_key):
            self.assertNotIn(secret.encode(), data)
        self.assertNotIn(key_body(key)[:64].encode(), data)
        self.assertIn(b"v1:", data)
        mode = os.stat(os.path.join(self.server.dir, "master.key")).st_mode
        self.assertEqual(mode & 0o777, 0o600)

    def test_a_copied_database_without_its_key_is_refused(self):
        self.upload()
        self.server.stop()
        copy = tempfile.mkdtemp(prefix="eulb-copy-")
        try:
            shutil.copy(self.server.db, os.path.join(copy, "eulb.db"))
            r = subprocess.run(
                [et.bin_path("eulbd"), "--listen", "127.0.0.1:0", "--db",
                 os.path.join(copy, "eulb.db")], capture_output=True,
                timeout=30, env=et.clean_env(self.server.home))
            self.assertNotEqual(r.returncode, 0)
            self.assertIn(b"master key", r.stderr)
            self.assertFalse(os.path.exists(os.path.join(copy,
                                                         "master.key")))
        finally:
            shutil.rmtree(copy, ignore_errors=True)
        self.server.start()

    def test_rotation_reseals_and_keys_keep_working(self):
        self.upload()
        keyfile = os.path.join(self.server.dir, "master.key")
        with open(keyfile, "rb") as f:
            before = f.read()
        sealed_before = self.db_bytes()
        self.server.stop()
        r = subprocess.run([et.bin_path("eulbd"), "rotate-master-key",
                            "--db", self.server.db], capture_output=True,
                           timeout=60, env=et.clean_env(self.server.home))
        self.assertEqual(r.returncode, 0, r.stderr)
        with open(keyfile, "rb") as f:
            after = f.read()
        self.assertNotEqual(before, after)
        self.assertEqual(len(after), 32)
        self.server.start()
        rc, out, err = self.server.cli("describe-lbs")
        self.assertEqual(rc, 0, err)
        rc, out, err = self.server.cli("euare-servercertgetattributes",
                                       "-s", "c1")
        self.assertEqual(rc, 0, err)
        # The old key no longer opens anything: put it back, start fails.
        self.server.stop()
        with open(keyfile, "wb") as f:
            f.write(before)
        r = subprocess.run([et.bin_path("eulbd"), "--listen", "127.0.0.1:0",
                            "--db", self.server.db], capture_output=True,
                           timeout=30, env=et.clean_env(self.server.home))
        self.assertNotEqual(r.returncode, 0)
        self.assertIn(b"does not open", r.stderr)
        with open(keyfile, "wb") as f:
            f.write(after)
        self.server.start()
        self.assertNotEqual(sealed_before, self.db_bytes())


if __name__ == "__main__":
    unittest.main()
