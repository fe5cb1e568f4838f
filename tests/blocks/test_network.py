"""Networks of several inputs: each input's stack, joined, then the trunk; one input stays the plain stack."""

from __future__ import annotations

import pytest
import torch
from torch import nn

from studio.blocks import MultiInputNet, build_model, build_network, summarize_network
from studio.errors import ShapeError

IMG = [{"kind": "conv2d", "filters": 4}, {"kind": "activation"}, {"kind": "global_avg_pool"}]
TRUNK = [{"kind": "dense", "units": 8}, {"kind": "activation"}]


def test_one_input_without_an_encoder_is_the_plain_stack():
    """Same modules, same state-dict keys as before: older runs load into it."""
    torch.manual_seed(0)
    plain = build_model(TRUNK, (5,), 3)
    torch.manual_seed(0)
    net = build_network([("table", (5,))], TRUNK, {}, 3)
    assert isinstance(net, nn.Sequential) and net.state_dict().keys() == plain.state_dict().keys()
    x = torch.randn(4, 5)
    assert torch.equal(net(x), plain(x))


def test_a_front_runs_first_and_is_part_of_the_model():
    net = build_network([("image", (1, 4, 4))], IMG, {}, 2, fronts={"image": nn.Identity()})
    assert isinstance(net[0], nn.Identity) and net(torch.randn(3, 1, 4, 4)).shape == (3, 2)


def test_several_inputs_are_encoded_joined_and_go_through_the_trunk():
    inputs = [("table", (5,)), ("photo", (3, 8, 8))]
    net = build_network(inputs, TRUNK, {"photo": IMG}, 4)
    assert isinstance(net, MultiInputNet) and net.names == ["table", "photo"]
    out = net(torch.randn(2, 5), torch.randn(2, 3, 8, 8))
    assert out.shape == (2, 4)
    assert net.trunk[0].in_features == 5 + 4  # the table as it is, the photo's 4 pooled channels
    summary = summarize_network(inputs, TRUNK, {"photo": IMG}, 4)
    assert [r.stack for r in summary.rows] == ["photo"] * 3 + ["trunk"] * 3
    assert summary.total_params == sum(p.numel() for p in net.parameters())


def test_an_encoder_shape_error_is_located_in_its_stack():
    bad = {"photo": [{"kind": "dense"}]}
    with pytest.raises(ShapeError, match="block 1 dense needs a flat input") as err:
        build_network([("table", (5,)), ("photo", (3, 8, 8))], TRUNK, bad, 2)
    assert err.value.location == ("encoders", "photo", 0)
    with pytest.raises(ShapeError) as err:
        summarize_network([("table", (5,)), ("photo", (3, 8, 8))], [{"kind": "conv2d"}], {"photo": IMG}, 2)
    assert err.value.location == ("model", 0)
