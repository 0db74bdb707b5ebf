"""An independent JOSE implementation (jwcrypto) for the encryption tests.

Reads JSON on stdin:
  {"make": "RSA"} or {"make": "X25519"}  -> prints {"private": JWK, "public": JWK}
  {"private": JWK, "jwe": "<compact>"}    -> prints the decrypted plaintext
"""
import json
import sys

from jwcrypto import jwe, jwk

request = json.load(sys.stdin)
if "make" in request:
    if request["make"] == "RSA":
        key = jwk.JWK.generate(kty="RSA", size=2048, kid="rsa-1")
    else:
        key = jwk.JWK.generate(kty="OKP", crv="X25519", kid="x25519-1")
    print(json.dumps({"private": key.export_private(as_dict=True), "public": key.export_public(as_dict=True)}))
else:
    token = jwe.JWE()
    token.deserialize(request["jwe"], key=jwk.JWK(**request["private"]))
    sys.stdout.write(token.payload.decode())
