package castore

// serviceSchema is version 2: what `confcert serve` keeps (spec serve.md).
//
//   - ca_keys: each CA's private key sealed with AES-256-GCM under the
//     key-encryption key (kek.go), so every instance with the store and the
//     KEK can sign and a database dump alone reveals no key;
//   - tokens: API tokens by name, stored as SHA-256 hashes only;
//   - requests: certificate requests and their decisions;
//   - audit: the append-only log of every state change (the store offers
//     no way to change or delete an entry);
//   - profiles: the profiles an admin applied (built-in ones are code).
//
// Times in audit are Unix microseconds, so that entries of one second keep
// their order.
func serviceSchema() Migration {
	return Migration{Version: 2, Name: "CA service: sealed CA keys, tokens, requests, audit, profiles", SQL: []string{
		`CREATE TABLE ca_keys (
			ca_name       TEXT NOT NULL PRIMARY KEY REFERENCES cas (name),
			sealed        TEXT NOT NULL,
			imported_from TEXT NOT NULL,
			created_at    BIGINT NOT NULL
		)`,
		`CREATE TABLE tokens (
			name       TEXT NOT NULL PRIMARY KEY,
			hash       TEXT NOT NULL UNIQUE,
			role       TEXT NOT NULL,
			created_at BIGINT NOT NULL,
			revoked_at BIGINT
		)`,
		`CREATE TABLE requests (
			id           TEXT NOT NULL PRIMARY KEY,
			profile      TEXT NOT NULL,
			ca_name      TEXT NOT NULL,
			status       TEXT NOT NULL,
			csr_pem      TEXT NOT NULL,
			subject_cn   TEXT NOT NULL,
			sans         TEXT NOT NULL,
			days         INTEGER NOT NULL,
			comment      TEXT NOT NULL,
			findings     TEXT NOT NULL,
			requested_by TEXT NOT NULL,
			requested_at BIGINT NOT NULL,
			decided_by   TEXT,
			decided_at   BIGINT,
			reason       TEXT,
			serial       TEXT
		)`,
		`CREATE INDEX requests_status ON requests (status, requested_at)`,
		`CREATE TABLE audit (
			id     TEXT NOT NULL PRIMARY KEY,
			at_us  BIGINT NOT NULL,
			actor  TEXT NOT NULL,
			action TEXT NOT NULL,
			object TEXT NOT NULL,
			detail TEXT NOT NULL,
			remote TEXT NOT NULL
		)`,
		`CREATE INDEX audit_at ON audit (at_us)`,
		`CREATE TABLE profiles (
			name       TEXT NOT NULL PRIMARY KEY,
			body       TEXT NOT NULL,
			updated_by TEXT NOT NULL,
			updated_at BIGINT NOT NULL
		)`,
	}}
}

// serviceRevocation is version 3: the revocation reason and the request of
// each issued certificate, and each CA's last CRL with its number (CRL
// numbers only grow, across every instance: RFC 5280 §5.2.3).
func serviceRevocation() Migration {
	return Migration{Version: 3, Name: "CA service: revocation reasons, request links, CRLs", SQL: []string{
		`ALTER TABLE issued ADD COLUMN revocation_reason INTEGER`,
		`ALTER TABLE issued ADD COLUMN request_id TEXT`,
		`CREATE TABLE crls (
			ca_name     TEXT NOT NULL PRIMARY KEY REFERENCES cas (name),
			number      BIGINT NOT NULL,
			this_update BIGINT NOT NULL,
			der         TEXT NOT NULL
		)`,
	}}
}
