"""A software FIDO2 authenticator for tests: enrolls a privacyIDEA passkey token headless.

Usage: VENV/bin/python soft-passkey.py BASE_URL USER REALM [ORIGIN]   (ORIGIN: http://localhost)
The admin JWT comes from the environment (IDSYNC_PI_JWT), never from an argument. Needs cbor2
and cryptography (privacyIDEA's venv has both) and an enrollment policy on the server with
webauthn_relying_party_id=localhost. Attestation "none", an ES256 key made here and thrown
away: the token is enrolled for real, but nobody can ever sign in with it. Prints the serial.
"""
import base64
import hashlib
import json
import os
import struct
import sys
import urllib.error
import urllib.request

import cbor2
from cryptography.hazmat.primitives.asymmetric import ec


def b64url(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def init(base, jwt, body, origin=None):
    headers = {"Content-Type": "application/json", "Authorization": jwt}
    if origin:
        headers["Origin"] = origin
    request = urllib.request.Request(base + "/token/init", data=json.dumps(body).encode(),
                                     method="POST", headers=headers)
    try:
        with urllib.request.urlopen(request) as answer:
            return json.load(answer)
    except urllib.error.HTTPError as error:
        return json.load(error)


def cose_key():
    numbers = ec.generate_private_key(ec.SECP256R1()).public_key().public_numbers()
    # COSE_Key: kty EC2, alg ES256, crv P-256, x, y (RFC 9053).
    return cbor2.dumps({1: 2, 3: -7, -1: 1, -2: numbers.x.to_bytes(32, "big"),
                        -3: numbers.y.to_bytes(32, "big")})


def registration(options, origin):
    credential = os.urandom(32)
    # authenticatorData: rpIdHash, flags (user present, verified, attested data), counter 0,
    # AAGUID zero, credential id length and id, public key.
    data = (hashlib.sha256(options["rp"]["id"].encode()).digest() + bytes([0x45])
            + struct.pack(">I", 0) + bytes(16) + struct.pack(">H", len(credential)) + credential
            + cose_key())
    # privacyIDEA checks the client data's challenge against the bytes of the string it sent.
    client = json.dumps({"type": "webauthn.create", "challenge": b64url(options["challenge"].encode()),
                         "origin": origin, "crossOrigin": False}).encode()
    attestation = cbor2.dumps({"fmt": "none", "attStmt": {}, "authData": data})
    return {"attestationObject": b64url(attestation), "clientDataJSON": b64url(client),
            "credential_id": b64url(credential), "rawId": b64url(credential),
            "authenticatorAttachment": "cross-platform"}


def main():
    base, user, realm = sys.argv[1:4]
    origin = sys.argv[4] if len(sys.argv) > 4 else "http://localhost"
    jwt = os.environ["IDSYNC_PI_JWT"]
    first = init(base, jwt, {"type": "passkey", "user": user, "realm": realm})
    if not first.get("result", {}).get("status"):
        sys.exit(f"passkey init failed: {first.get('result')}")
    detail = first["detail"]
    body = {"type": "passkey", "user": user, "realm": realm, "serial": detail["serial"],
            "transaction_id": detail["transaction_id"]}
    body.update(registration(detail["passkey_registration"], origin))
    done = init(base, jwt, body, origin)
    if not done.get("result", {}).get("status"):
        sys.exit(f"passkey registration failed: {done.get('result')}")
    print(detail["serial"])


if __name__ == "__main__":
    main()
