-- IAM server certificates (UploadServerCertificate and friends), owned by
-- an account and named by listeners' SSLCertificateId (the ARN).

CREATE TABLE server_certificates (
  id             INTEGER PRIMARY KEY,
  account_id     TEXT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
  name           TEXT NOT NULL,
  path           TEXT NOT NULL,
  certificate_id TEXT NOT NULL UNIQUE,  -- ASCA + 17 upper-case letters/digits
  arn            TEXT NOT NULL,
  body           TEXT NOT NULL,
  chain          TEXT,
  private_key    TEXT NOT NULL,
  upload_date    TEXT NOT NULL,
  expiration     TEXT NOT NULL,
  UNIQUE (account_id, name)
);
CREATE INDEX server_certificates_arn ON server_certificates(account_id, arn);
CREATE INDEX listeners_certificate ON listeners(ssl_certificate_id);
