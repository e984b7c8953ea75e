"""Drives oras-py (the `oras` package from PyPI) against a registry over plain HTTP for the
integration tests, through the library's own client and its token authentication.

    oras_client.py <registry> <username> <password> push <target> <file>... [--config PATH:TYPE]
        [--subject <target>] [--chunked]
    oras_client.py <registry> <username> <password> pull <target> <outdir>
    oras_client.py <registry> <username> <password> referrers <target>
    oras_client.py <registry> <username> <password> delete <target>

Prints one JSON object: the pushed manifest's digest, the pulled files, the referrers index
of the target's manifest, or whether the delete (oras-py's: by the digest the tag names) was
done.
"""

import argparse
import hashlib
import json

import oras.client
import oras.defaults
import oras.oci


def connect(args):
    client = oras.client.OrasClient(hostname=args.registry, insecure=True)
    client.auth.set_basic_auth(args.username, args.password)
    return client


def registry_url(client, path):
    return f"{client.prefix}://{client.hostname}/v2/{path}"


def descriptor(client, target):
    """The manifest `target` names, as the registry stores it."""
    container = client.get_container(target)
    response = client.do_request(
        f"{client.prefix}://{container.manifest_url()}",
        "GET",
        headers={"Accept": oras.defaults.default_manifest_media_type},
    )
    response.raise_for_status()
    return container, {
        "mediaType": response.headers["Content-Type"],
        "digest": "sha256:" + hashlib.sha256(response.content).hexdigest(),
        "size": len(response.content),
    }


def push(client, args):
    subject = None
    if args.subject:
        _, found = descriptor(client, args.subject)
        subject = oras.oci.Subject(**found)
    response = client.push(
        target=args.target,
        files=args.files,
        manifest_config=args.config,
        subject=subject,
        do_chunked=args.chunked,
        chunk_size=64 * 1024,
        disable_path_validation=True,
    )
    return {"digest": response.headers["Docker-Content-Digest"]}


def pull(client, args):
    return {"files": sorted(client.pull(target=args.target, outdir=args.outdir))}


def referrers(client, args):
    container, found = descriptor(client, args.target)
    response = client.do_request(
        registry_url(client, f"{container.api_prefix}/referrers/{found['digest']}")
    )
    response.raise_for_status()
    return {"subject": found["digest"], "index": response.json()}


def delete(client, args):
    container = client.get_container(args.target)
    return {"deleted": client.delete_tag(container, container.tag)}


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("registry")
    parser.add_argument("username")
    parser.add_argument("password")
    commands = parser.add_subparsers(dest="command", required=True)
    push_args = commands.add_parser("push")
    push_args.add_argument("target")
    push_args.add_argument("files", nargs="+")
    push_args.add_argument("--config")
    push_args.add_argument("--subject")
    push_args.add_argument("--chunked", action="store_true")
    pull_args = commands.add_parser("pull")
    pull_args.add_argument("target")
    pull_args.add_argument("outdir")
    referrers_args = commands.add_parser("referrers")
    referrers_args.add_argument("target")
    delete_args = commands.add_parser("delete")
    delete_args.add_argument("target")
    args = parser.parse_args()
    actions = {"push": push, "pull": pull, "referrers": referrers, "delete": delete}
    action = actions[args.command]
    print(json.dumps(action(connect(args), args)))


if __name__ == "__main__":
    main()
