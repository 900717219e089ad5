"""The audit trail's hash chain, Merkle checkpoints and their signatures."""

from __future__ import annotations

import dataclasses
import hashlib
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lexdesk.domain.audit import (
    GENESIS_HASH,
    AuditEntry,
    Checkpoint,
    canonical_encoding,
    chain_next,
    checkpoint_text,
    consistency_proof,
    entry_hashes,
    format_time,
    make_checkpoint,
    merkle_root,
    verify_chain,
    verify_consistency,
)

T0 = datetime(2020, 1, 17, 14, 3, 22, 419_999, tzinfo=UTC)

json_scalars = st.none() | st.booleans() | st.integers() | st.text(max_size=8)
json_values = st.recursive(
    json_scalars,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner),
    max_leaves=6,
)
events = st.fixed_dictionaries(
    {
        "at": st.datetimes(
            min_value=datetime(2000, 1, 1), max_value=datetime(2099, 1, 1), timezones=st.just(UTC)
        ),
        "actor": st.sampled_from(["system", "usr-4f0c9a1e", "usr-77aa01bc"]),
        "agency": st.sampled_from(["", "agy-ice", "agy-doc", "agy-usao"]),
        "action": st.sampled_from(["instrument.issue", "person.read", "auth.login_failed"]),
        "object_type": st.sampled_from(["instrument", "person", "user"]),
        "object_id": st.text(max_size=12),
        "outcome": st.sampled_from(["success", "failure", "denied"]),
        "source": st.sampled_from(["cli", "10.1.2.3", "2001:db8::1"]),
        "detail": st.dictionaries(st.text(max_size=5), json_values, max_size=3),
    }
)


def build_chain(event_list: list[dict[str, Any]]) -> list[AuditEntry]:
    chain: list[AuditEntry] = []
    for event in event_list:
        chain.append(chain_next(chain[-1] if chain else None, **event))
    return chain


chains = st.lists(events, min_size=2, max_size=12).map(build_chain)


def other_hex(value: str, position: int) -> str:
    flipped = "0" if value[position] != "0" else "1"
    return value[:position] + flipped + value[position + 1 :]


def edited(entry: AuditEntry, field: str, data: st.DataObject) -> AuditEntry:
    """``entry`` with ``field`` changed to some other value that the encoding can tell apart."""
    value = getattr(entry, field)
    if field == "seq":
        new: Any = value + data.draw(st.integers(1, 5) | st.integers(-5, -1))
    elif field == "at":
        new = value + timedelta(milliseconds=10 * data.draw(st.integers(1, 10**9)))
    elif field == "outcome":
        new = data.draw(st.sampled_from(sorted({"success", "failure", "denied"} - {value})))
    elif field == "detail":
        new = {"wrapped": value}
    elif field in ("prev_hash", "hash"):
        new = other_hex(value, data.draw(st.integers(0, 63)))
    else:
        new = value + data.draw(st.text(min_size=1, max_size=3))
    return dataclasses.replace(entry, **{field: new})


FIELDS = [field.name for field in dataclasses.fields(AuditEntry)]


@given(chains)
def test_a_chain_built_by_chain_next_verifies(chain: list[AuditEntry]) -> None:
    result = verify_chain(chain)
    assert result.ok
    assert result.checked == len(chain)
    assert verify_chain(chain, make_checkpoint(chain, at=T0)).ok


@given(chains, st.sampled_from(FIELDS), st.data())
def test_any_edit_of_any_field_is_caught_at_that_entry(
    chain: list[AuditEntry], field: str, data: st.DataObject
) -> None:
    index = data.draw(st.integers(0, len(chain) - 1))
    chain[index] = edited(chain[index], field, data)
    result = verify_chain(chain)
    assert not result.ok
    assert result.first_bad_seq == index + 1
    assert result.checked == index


@given(chains, st.data())
def test_deleting_an_entry_is_caught_where_it_was(
    chain: list[AuditEntry], data: st.DataObject
) -> None:
    index = data.draw(st.integers(0, len(chain) - 2))
    del chain[index]
    result = verify_chain(chain)
    assert (result.ok, result.first_bad_seq) == (False, index + 1)
    assert result.reason == f"sequence gap: expected {index + 1}, got {index + 2}"


@given(chains)
def test_deleting_the_last_entry_is_caught_only_by_a_checkpoint(chain: list[AuditEntry]) -> None:
    checkpoint = make_checkpoint(chain, at=T0)
    truncated = chain[:-1]
    assert verify_chain(truncated).ok  # a chain alone cannot know it had a tail
    result = verify_chain(truncated, checkpoint)
    assert (result.ok, result.first_bad_seq) == (False, len(chain))


@given(chains, events, st.data())
def test_inserting_a_well_formed_entry_is_caught_at_the_entry_it_displaced(
    chain: list[AuditEntry], event: dict[str, Any], data: st.DataObject
) -> None:
    index = data.draw(st.integers(0, len(chain) - 1))
    forged = chain_next(chain[index - 1] if index else None, **event)
    chain.insert(index, forged)
    result = verify_chain(chain)
    assert (result.ok, result.first_bad_seq) == (False, index + 2)
    assert result.reason == f"sequence out of order: expected {index + 2}, got {index + 1}"


@given(chains, st.data())
def test_inserting_a_copy_of_an_entry_is_caught(
    chain: list[AuditEntry], data: st.DataObject
) -> None:
    index = data.draw(st.integers(0, len(chain) - 1))
    copied = data.draw(st.integers(0, len(chain) - 1))
    chain.insert(index, chain[copied])
    result = verify_chain(chain)
    assert not result.ok
    assert result.first_bad_seq == (index + 2 if copied == index else index + 1)


@given(chains, st.data())
def test_swapping_two_entries_is_caught_at_the_first(
    chain: list[AuditEntry], data: st.DataObject
) -> None:
    i, j = sorted(
        data.draw(st.lists(st.integers(0, len(chain) - 1), min_size=2, max_size=2, unique=True))
    )
    chain[i], chain[j] = chain[j], chain[i]
    result = verify_chain(chain)
    assert (result.ok, result.first_bad_seq) == (False, i + 1)


@given(chains, st.data())
def test_a_chain_rewritten_from_some_entry_on_verifies_alone_but_not_against_a_checkpoint(
    chain: list[AuditEntry], data: st.DataObject
) -> None:
    checkpoint = make_checkpoint(chain, at=T0)
    index = data.draw(st.integers(0, len(chain) - 1))
    forged = _event_of(chain[index]) | {"actor": chain[index].actor + "-forged"}
    rewritten = chain[:index]
    for event in [forged, *(_event_of(entry) for entry in chain[index + 1 :])]:
        rewritten.append(chain_next(rewritten[-1] if rewritten else None, **event))
    assert verify_chain(rewritten).ok
    result = verify_chain(rewritten, checkpoint)
    assert (result.ok, result.first_bad_seq) == (False, None)
    assert (
        result.reason == f"entries 1..{len(chain)} do not match the checkpoint: they were rewritten"
    )


def _event_of(entry: AuditEntry) -> dict[str, Any]:
    chained = {"seq", "prev_hash", "hash"}
    return {field: getattr(entry, field) for field in FIELDS if field not in chained}


def test_verification_stops_at_the_first_bad_entry() -> None:
    chain = build_chain([_event(i) for i in range(6)])
    chain[2] = dataclasses.replace(chain[2], actor="usr-someone-else")
    chain[4] = dataclasses.replace(chain[4], seq=99)
    result = verify_chain(iter(chain))
    assert result == verify_chain(chain[:3])
    assert (result.first_bad_seq, result.checked, result.reason) == (3, 2, "hash mismatch")


def test_editing_detail_in_place_is_caught() -> None:
    chain = build_chain([_event(i) for i in range(3)])
    chain[1].detail["count"] = 2
    assert verify_chain(chain).first_bad_seq == 2


def test_a_chain_must_start_at_the_genesis_hash() -> None:
    first = chain_next(None, **_event(0))
    assert first.prev_hash == GENESIS_HASH
    moved = dataclasses.replace(first, prev_hash="ab" * 32)
    assert verify_chain([moved]).reason == "prev_hash of entry 1 is not the genesis hash"


def test_a_relinked_entry_names_the_entry_it_no_longer_follows() -> None:
    chain = build_chain([_event(i) for i in range(4)])
    chain[3] = dataclasses.replace(chain[3], prev_hash=chain[1].hash)
    assert verify_chain(chain).reason == "prev_hash does not match entry 3"


def test_the_empty_chain_verifies() -> None:
    assert verify_chain([]) == verify_chain([], make_checkpoint([], at=T0))
    assert verify_chain([]).ok


def _event(i: int) -> dict[str, Any]:
    return {
        "at": T0 + timedelta(seconds=i),
        "actor": "usr-4f0c9a1e",
        "agency": "agy-doc",
        "action": "person.read",
        "object_type": "person",
        "object_id": f"prs-{i}",
        "outcome": "success",
        "source": "10.1.2.3",
        "detail": {"count": 1, "fields": ["name", "booking"]},
    }


def test_the_canonical_encoding_is_the_documented_one() -> None:
    entry = chain_next(None, **_event(0) | {"detail": {"b": [1, None, True], "a": "café"}})
    expected = (
        '{"action":"person.read","actor":"usr-4f0c9a1e","agency":"agy-doc",'
        '"at":"2020-01-17T14:03:22.41Z","detail":{"a":"café","b":[1,null,true]},'
        '"object_id":"prs-0","object_type":"person","outcome":"success",'
        f'"prev_hash":"{"0" * 64}","seq":1,"source":"10.1.2.3"}}'
    ).encode()
    assert canonical_encoding(entry) == expected
    assert entry.hash == hashlib.sha256(expected).hexdigest()


def test_times_are_kept_to_the_hundredth_in_utc() -> None:
    eastern = timezone(timedelta(hours=-5))
    entry = chain_next(
        None, **_event(0) | {"at": datetime(2020, 1, 17, 9, 3, 22, 419_999, eastern)}
    )
    assert entry.at == datetime(2020, 1, 17, 14, 3, 22, 410_000, tzinfo=UTC)
    assert format_time(entry.at) == "2020-01-17T14:03:22.41Z"
    assert format_time(datetime(2020, 1, 1, tzinfo=UTC)) == "2020-01-01T00:00:00.00Z"


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"at": datetime(2020, 1, 1)}, "no time zone"),
        ({"outcome": "maybe"}, "not one of"),
        ({"actor": ""}, "needs an actor"),
        ({"detail": {"ratio": 0.5}}, "is a float"),
        ({"detail": {"nested": {1: "x"}}}, "must be a string"),
        ({"detail": {"text": "\ud800"}}, "surrogate"),
    ],
)
def test_chain_next_refuses_what_could_not_be_hashed_faithfully(
    change: dict[str, Any], message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        chain_next(None, **_event(0) | change)


def test_chain_next_keeps_its_own_copy_of_detail() -> None:
    detail: dict[str, Any] = {"fields": ["name"]}
    entry = chain_next(None, **_event(0) | {"detail": detail})
    detail["fields"].append("ssn")
    assert entry.detail == {"fields": ["name"]}
    assert verify_chain([entry]).ok


# RFC 6962 reference vectors, as published by transparency-dev/merkle (proof/verify_test.go).
RFC6962_LEAF_HEX = ["", "00", "10", "2021", "3031", "40414243", "5051525354555657"]
RFC6962_LEAF_HEX.append("606162636465666768696a6b6c6d6e6f")
RFC6962_LEAVES = [bytes.fromhex(leaf) for leaf in RFC6962_LEAF_HEX]
RFC6962_ROOTS = [
    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
    "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
    "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
    "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
    "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
    "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
    "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
    "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
]
RFC6962_CONSISTENCY = [
    (1, 8, ["96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4"]),
    (6, 8, ["0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
            "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
            "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"]),
    (2, 5, ["5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b"]),
    (6, 7, ["0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
            "b08693ec2e721597130641e8211e7eedccb4c26413963eee6c1e2ed16ffb1a5f",
            "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"]),
]  # fmt: skip


@pytest.mark.parametrize("size", range(9))
def test_merkle_root_matches_rfc6962_reference_vectors(size: int) -> None:
    assert merkle_root(RFC6962_LEAVES[:size]).hex() == RFC6962_ROOTS[size]


def test_merkle_root_of_small_trees_by_hand() -> None:
    def leaf(data: bytes) -> bytes:
        return hashlib.sha256(b"\x00" + data).digest()

    def node(left: bytes, right: bytes) -> bytes:
        return hashlib.sha256(b"\x01" + left + right).digest()

    a, b, c = leaf(b"a"), leaf(b"b"), leaf(b"c")
    assert merkle_root([b"a"]) == a
    assert merkle_root([b"a", b"b"]) == node(a, b)
    # Three leaves split 2 + 1 (the largest power of two below 3), not 1 + 2.
    assert merkle_root([b"a", b"b", b"c"]) == node(node(a, b), c)


@pytest.mark.parametrize(("old", "new", "proof"), RFC6962_CONSISTENCY)
def test_consistency_proofs_match_the_reference_vectors(
    old: int, new: int, proof: list[str]
) -> None:
    leaves = RFC6962_LEAVES[:new]
    assert [node.hex() for node in consistency_proof(leaves, old)] == proof
    old_root, new_root = bytes.fromhex(RFC6962_ROOTS[old]), bytes.fromhex(RFC6962_ROOTS[new])
    assert verify_consistency(old, new, old_root, new_root, [bytes.fromhex(h) for h in proof])


MANY = [hashlib.sha256(str(i).encode()).digest() for i in range(40)]
ROOTS = [merkle_root(MANY[:n]) for n in range(len(MANY) + 1)]


def test_every_consistency_proof_verifies_for_every_pair_of_sizes() -> None:
    for new in range(len(MANY) + 1):
        for old in range(new + 1):
            proof = consistency_proof(MANY[:new], old)
            assert verify_consistency(old, new, ROOTS[old], ROOTS[new], proof), (old, new)


@given(
    st.integers(2, 40).flatmap(lambda n: st.tuples(st.integers(1, n - 1), st.just(n))), st.data()
)
def test_a_mangled_consistency_proof_fails(sizes: tuple[int, int], data: st.DataObject) -> None:
    old, new = sizes
    proof = consistency_proof(MANY[:new], old)
    i = data.draw(st.integers(0, len(proof) - 1))
    flipped = [*proof[:i], bytes([proof[i][0] ^ 0x10]) + proof[i][1:], *proof[i + 1 :]]
    junk = b"\xab" * 32
    for bad in (flipped, proof[:-1], [*proof, junk], [junk, *proof], []):
        assert not verify_consistency(old, new, ROOTS[old], ROOTS[new], bad)
    assert not verify_consistency(old, new, ROOTS[old - 1], ROOTS[new], proof)
    assert not verify_consistency(old, new, ROOTS[old], ROOTS[new - 1], proof)
    assert not verify_consistency(new, old, ROOTS[new], ROOTS[old], proof)


def test_the_degenerate_consistency_cases() -> None:
    assert verify_consistency(4, 4, ROOTS[4], ROOTS[4], [])
    assert not verify_consistency(4, 4, ROOTS[4], ROOTS[5], [])
    assert not verify_consistency(4, 4, ROOTS[4], ROOTS[4], [ROOTS[4]])
    assert verify_consistency(0, 8, ROOTS[0], ROOTS[8], [])
    assert not verify_consistency(0, 8, ROOTS[0], ROOTS[8], [ROOTS[1]])
    with pytest.raises(ValueError, match="outside"):
        consistency_proof(MANY[:3], 4)


def test_a_later_checkpoint_extends_an_earlier_one() -> None:
    chain = build_chain([_event(i) for i in range(11)])
    early, late = make_checkpoint(chain[:6], at=T0), make_checkpoint(chain, at=T0)
    proof = consistency_proof(entry_hashes(chain), early.size)
    roots = bytes.fromhex(early.root_hash), bytes.fromhex(late.root_hash)
    assert verify_consistency(early.size, late.size, *roots, proof)
    assert early.head_hash == chain[5].hash


def test_the_checkpoint_text_is_the_documented_one() -> None:
    checkpoint = Checkpoint(size=3, head_hash="ab" * 32, root_hash="cd" * 32, at=T0)
    assert checkpoint_text(checkpoint) == (
        b"lexdesk audit checkpoint v1\nsize 3\n"
        + f"head {'ab' * 32}\nroot {'cd' * 32}\nat 2020-01-17T14:03:22.41Z\n".encode()
    )


def test_a_signed_checkpoint_verifies_and_a_one_byte_change_does_not() -> None:
    pytest.importorskip("cryptography")
    from lexdesk.domain.audit import new_signing_key, sign_checkpoint, verify_checkpoint

    private_key, public_key = new_signing_key()
    checkpoint = make_checkpoint(build_chain([_event(i) for i in range(5)]), at=T0)
    signature = sign_checkpoint(checkpoint, private_key)
    assert len(signature) == 64
    assert verify_checkpoint(checkpoint, signature, public_key)

    for i in (0, 31, 63):
        bad = signature[:i] + bytes([signature[i] ^ 0x01]) + signature[i + 1 :]
        assert not verify_checkpoint(checkpoint, bad, public_key)
    for change in ({"size": 4}, {"root_hash": other_hex(checkpoint.root_hash, 0)}):
        assert not verify_checkpoint(
            dataclasses.replace(checkpoint, **change), signature, public_key
        )
    later = dataclasses.replace(checkpoint, at=checkpoint.at + timedelta(milliseconds=10))
    assert not verify_checkpoint(later, signature, public_key)
    _, someone_elses = new_signing_key()
    assert not verify_checkpoint(checkpoint, signature, someone_elses)
    assert not verify_checkpoint(checkpoint, signature, public_key[:31])


def test_the_public_key_derives_from_the_private_key() -> None:
    pytest.importorskip("cryptography")
    from lexdesk.domain.audit import new_signing_key, public_key_for

    private_key, public_key = new_signing_key()
    assert (len(private_key), len(public_key)) == (32, 32)
    assert public_key_for(private_key) == public_key


@settings(max_examples=25)
@given(chains)
def test_the_checkpoint_root_is_the_merkle_root_of_the_entry_hashes(
    chain: list[AuditEntry],
) -> None:
    checkpoint = make_checkpoint(chain, at=T0)
    leaves = [bytes.fromhex(entry.hash) for entry in chain]
    assert checkpoint.root_hash == merkle_root(leaves).hex()
    assert (checkpoint.size, checkpoint.head_hash) == (len(chain), chain[-1].hash)
