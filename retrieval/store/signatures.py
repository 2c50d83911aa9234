"""Reprint (near-duplicate) detection: MinHash signatures of word shingles, an LSH index, exact-text digests.

A reprint is the same story republished with a new headline, a byline, a footer, a trimmed paragraph or a few
changed words. ``ReprintIndex.match`` finds the indexed article a new text reprints, so that newsbot can index
and cite one copy and say "also reported by N others". Signatures are plain values that store as ~0.5 KB of
bytes (``Signature.to_bytes``), so the index can be rebuilt at start without re-reading the texts.

Defaults (word 3-grams, 128 permutations, threshold 0.4) were chosen by ``benchmarks/reprints.py``; see
``docs/reprints.md``.
"""

from __future__ import annotations

import hashlib
import re
import struct
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING, NamedTuple

import numpy as np

from retrieval.core.errors import InputError

if TYPE_CHECKING:
    from datasketch import LeanMinHash, MinHashLSH

SEED = 1  # fixed: signatures made in any process, on any day, are comparable
SCHEME = "affine32"  # datasketch's permutation scheme, pinned so that a new default cannot silently change values
DEFAULT_SHINGLE = 3
DEFAULT_NUM_PERM = 128
DEFAULT_THRESHOLD = 0.4
HASH_BATCH = 8192  # shingles hashed at once: a 3 MB text needs 8 MB of work space, not 400 MB per step
CANDIDATE_RECALL = 0.95  # LSH bands are chosen so a pair exactly at the threshold is a candidate this often

_WORD = re.compile(r"\w+", re.UNICODE)
_MAGIC = b"RP"
_VERSION = 1
_HEADER = struct.Struct("<2sBBHI16s")  # magic, version, shingle size, num_perm, shingle count, digest


def words(text: str) -> list[str]:
    """Lower-cased words of ``text``: case, punctuation and spacing do not matter."""
    return _WORD.findall(text.casefold())


def shingles(text: str, n: int = DEFAULT_SHINGLE) -> set[bytes]:
    """The set of word ``n``-grams of ``text`` (a text shorter than ``n`` words is one shingle)."""
    if n < 1:
        raise InputError(f"shingle size must be at least 1, not {n}")
    tokens = words(text)
    if len(tokens) <= n:
        return {" ".join(tokens).encode("utf-8")} if tokens else set()
    return {" ".join(tokens[i : i + n]).encode("utf-8") for i in range(len(tokens) - n + 1)}


def digest(text: str) -> bytes:
    """16-byte hash of the normalised words: equal digests mean the same text up to case and punctuation."""
    return hashlib.blake2b(" ".join(words(text)).encode("utf-8"), digest_size=16).digest()


@dataclass(frozen=True, eq=False)
class Signature:
    """What the index keeps of one text: its MinHash values, shingle count and exact-text digest."""

    hashvalues: np.ndarray  # uint32, one minimum per permutation
    size: int  # number of distinct shingles (lets a caller estimate containment later)
    digest: bytes
    shingle_size: int = DEFAULT_SHINGLE

    @property
    def num_perm(self) -> int:
        return len(self.hashvalues)

    def jaccard(self, other: Signature) -> float:
        """Estimated Jaccard similarity of the two shingle sets (1.0 for exact duplicates)."""
        _check_compatible(self, other.shingle_size, other.num_perm)
        if self.digest == other.digest:
            return 1.0
        return float(np.count_nonzero(self.hashvalues == other.hashvalues)) / self.num_perm

    def to_bytes(self) -> bytes:
        """A compact, versioned encoding: 26 + 4 * num_perm bytes (538 at 128 permutations)."""
        header = _HEADER.pack(_MAGIC, _VERSION, self.shingle_size, self.num_perm, self.size, self.digest)
        return header + self.hashvalues.astype("<u4", copy=False).tobytes()

    @classmethod
    def from_bytes(cls, data: bytes) -> Signature:
        """Decode `to_bytes` output; a truncated or foreign value raises `InputError`."""
        if len(data) < _HEADER.size:
            raise InputError(f"not a reprint signature ({len(data)} bytes)")
        magic, version, shingle_size, num_perm, size, text_digest = _HEADER.unpack_from(data)
        if magic != _MAGIC or version != _VERSION:
            raise InputError("not a reprint signature (unknown header or version)")
        if len(data) != _HEADER.size + 4 * num_perm:
            raise InputError(f"truncated reprint signature ({len(data)} bytes for {num_perm} permutations)")
        values = np.frombuffer(data, dtype="<u4", offset=_HEADER.size).astype(np.uint32)
        return cls(values, size, text_digest, shingle_size)


def signature(text: str, num_perm: int = DEFAULT_NUM_PERM, shingle_size: int = DEFAULT_SHINGLE) -> Signature:
    """The MinHash signature of ``text``'s word shingles; deterministic across processes and runs."""
    grams = shingles(text, shingle_size)
    if not grams:
        raise InputError("no words in the text to compare")
    from datasketch import MinHash

    minhash = MinHash(num_perm=num_perm, seed=SEED, permutations=_permutations(num_perm), scheme=SCHEME)
    ordered = list(grams)
    for i in range(0, len(ordered), HASH_BATCH):  # datasketch holds num_perm values per shingle of a batch
        minhash.update_batch(ordered[i : i + HASH_BATCH])
    return Signature(minhash.hashvalues.astype(np.uint32), len(grams), digest(text), shingle_size)


@lru_cache(maxsize=8)
def _permutations(num_perm: int) -> np.ndarray:
    from datasketch import MinHash

    perms: np.ndarray = MinHash(num_perm=num_perm, seed=SEED, scheme=SCHEME).permutations
    return perms


def lsh_bands(threshold: float, num_perm: int) -> tuple[int, int]:
    """(bands, rows): the most selective banding that still makes a pair at ``threshold`` a candidate with
    probability `CANDIDATE_RECALL`; the estimated Jaccard then filters the candidates."""
    best = (num_perm, 1)
    for rows in range(1, num_perm // 2 + 1):
        bands = num_perm // rows
        if bands < 2:
            break
        if 1 - (1 - threshold**rows) ** bands >= CANDIDATE_RECALL:
            best = (bands, rows)
    return best


def band_keys(sig: Signature, threshold: float = DEFAULT_THRESHOLD) -> list[bytes]:
    """The LSH band keys of ``sig`` (band number + a hash of its rows): two signatures that share one are
    candidates, found by lookup in the reprint store."""
    bands, rows = lsh_bands(threshold, sig.num_perm)
    values = sig.hashvalues.astype("<u4", copy=False)
    return [
        bytes([band]) + hashlib.blake2b(values[band * rows : (band + 1) * rows].tobytes(), digest_size=8).digest()
        for band in range(bands)
    ]


class Match(NamedTuple):
    """The indexed document a text reprints, and their estimated Jaccard similarity."""

    doc_id: str
    similarity: float


class ReprintIndex:
    """Signatures of indexed documents, searchable for the one a new text reprints.

    Exact duplicates (same words in the same order) are found by digest; near duplicates by MinHash LSH,
    each candidate verified by its estimated Jaccard similarity against ``threshold``.
    """

    def __init__(
        self,
        threshold: float = DEFAULT_THRESHOLD,
        num_perm: int = DEFAULT_NUM_PERM,
        shingle_size: int = DEFAULT_SHINGLE,
    ) -> None:
        if not 0.0 < threshold <= 1.0:
            raise InputError(f"reprint threshold must be in (0, 1], not {threshold}")
        if num_perm < 4:
            raise InputError(f"num_perm must be at least 4, not {num_perm}")
        from datasketch import MinHashLSH

        self.threshold = threshold
        self.num_perm = num_perm
        self.shingle_size = shingle_size
        self._lsh: MinHashLSH = MinHashLSH(num_perm=num_perm, params=lsh_bands(threshold, num_perm))
        self._signatures: dict[str, Signature] = {}  # insertion order breaks ties: the first copy wins
        self._by_digest: dict[bytes, list[str]] = {}

    def __len__(self) -> int:
        return len(self._signatures)

    def __contains__(self, doc_id: object) -> bool:
        return doc_id in self._signatures

    def signature(self, text: str) -> Signature:
        """A signature of ``text`` with this index's settings."""
        return signature(text, self.num_perm, self.shingle_size)

    def add(self, doc_id: str, text: str | None = None, signature: Signature | None = None) -> Signature:
        """Index ``doc_id`` from its text or a stored signature (re-adding an id replaces it)."""
        sig = self._resolve(text, signature)
        if doc_id in self._signatures:
            self.remove(doc_id)
        self._lsh.insert(doc_id, self._lean(sig), check_duplication=False)
        self._signatures[doc_id] = sig
        self._by_digest.setdefault(sig.digest, []).append(doc_id)
        return sig

    def remove(self, doc_id: str) -> bool:
        """Forget ``doc_id``; False when it was not indexed."""
        sig = self._signatures.pop(doc_id, None)
        if sig is None:
            return False
        self._lsh.remove(doc_id)
        same = self._by_digest[sig.digest]
        same.remove(doc_id)
        if not same:
            del self._by_digest[sig.digest]
        return True

    def matches(
        self, text: str | None = None, signature: Signature | None = None, exclude: str | None = None
    ) -> list[Match]:
        """Every indexed document whose estimated Jaccard with the text is at least the threshold, best first
        (exact duplicates score 1.0; ties keep the order documents were added). ``exclude`` skips one id."""
        sig = self._resolve(text, signature)
        found = {doc_id: 1.0 for doc_id in self._by_digest.get(sig.digest, ())}
        for doc_id in self._lsh.query(self._lean(sig)):
            if doc_id not in found:
                similarity = sig.jaccard(self._signatures[doc_id])
                if similarity >= self.threshold:
                    found[doc_id] = similarity
        if exclude is not None:
            found.pop(exclude, None)
        order = {doc_id: i for i, doc_id in enumerate(self._signatures)}
        ranked = sorted(found.items(), key=lambda item: (-item[1], order[item[0]]))
        return [Match(doc_id, similarity) for doc_id, similarity in ranked]

    def match(
        self, text: str | None = None, signature: Signature | None = None, exclude: str | None = None
    ) -> Match | None:
        """The best indexed document the text reprints, or None."""
        found = self.matches(text, signature, exclude)
        return found[0] if found else None

    def _resolve(self, text: str | None, signature: Signature | None) -> Signature:
        if (text is None) == (signature is None):
            raise InputError("give either a text or a signature")
        if signature is None:
            assert text is not None
            return self.signature(text)
        _check_compatible(signature, self.shingle_size, self.num_perm)
        return signature

    @staticmethod
    def _lean(sig: Signature) -> LeanMinHash:
        from datasketch import LeanMinHash

        return LeanMinHash(seed=SEED, hashvalues=sig.hashvalues, scheme=SCHEME)


def _check_compatible(sig: Signature, shingle_size: int, num_perm: int) -> None:
    if sig.shingle_size != shingle_size or sig.num_perm != num_perm:
        raise InputError(
            f"reprint signature made with {sig.shingle_size}-word shingles and {sig.num_perm} permutations; "
            f"this index uses {shingle_size} and {num_perm}: rebuild the signatures"
        )
