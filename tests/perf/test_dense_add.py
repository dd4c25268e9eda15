"""DenseIndex.add: new ids are searchable at once, without a rebuild; existing ids are refused."""

import numpy as np
import pytest

from recommender.indexes.dense import DenseIndex, DenseIndexConfig


@pytest.mark.parametrize("threshold", [20_000, 10])  # Flat, and the configured approximate index (IVF…,SQ8,RFlat) above the threshold
def test_added_vector_is_found_by_the_next_search(threshold):
    rng = np.random.default_rng(0)
    vectors = rng.standard_normal((200, 16)).astype(np.float32)
    index = DenseIndex.build(vectors, [f"p{i}" for i in range(200)], DenseIndexConfig(flat_threshold=threshold))
    new = rng.standard_normal((1, 16)).astype(np.float32)
    index.add(new, ["new-program"])
    assert len(index) == 201
    assert index.search(new, k=1)[0][0][0] == "new-program"
    assert index.search(new, k=3, allowed=["new-program", "p3"])[0][0][0] == "new-program"


def test_existing_id_is_refused():
    index = DenseIndex.build(np.eye(3, dtype=np.float32), ["a", "b", "c"])
    with pytest.raises(ValueError, match="rebuild"):
        index.add(np.eye(3, dtype=np.float32)[:1], ["a"])
