#!/usr/bin/python3
"""Reference values for DslKd's logit-standardization, DKD, RKD and PKT terms, computed by the peers' OWN loss code.

make_loss_fixtures.py writes the formulas from the papers; this script instead imports the loss classes and functions
of two peer libraries and runs them on the same inputs, so the tests check DslKd against what those libraries compute:

  torchdistill (https://github.com/yoshitomo-matsubara/torchdistill): torchdistill/losses/mid_level.py,
      LogitStdKDLoss (and its standardize method), RKDLoss, PKTLoss.
  mdistiller (https://github.com/megvii-research/mdistiller): mdistiller/distillers/{DKD,RKD,PKT}.py,
      dkd_loss, rkd_loss, pkt_loss. It has no logit standardization, so "DKD + logit standardization" is mdistiller's
      dkd_loss applied to torchdistill's standardized logits, which is how the logit-standardization authors apply it.

No peer code is committed. At run time the script copies the needed files of each peer's HEAD commit into a temporary
directory with `git archive` and imports them from there; the commit hashes go into the JSON's metadata. mdistiller's
distillers/__init__.py imports every distiller (one of them needs scipy), so the script replaces that one file with an
empty package file; torchdistill's losses package imports only torch and torchdistill's own modules, copied as they are.

Regenerate (from the repository root; each argument is a clone of the peer, a checkout or a bare/mirror git directory):
    git clone https://github.com/yoshitomo-matsubara/torchdistill ../torchdistill
    git clone https://github.com/megvii-research/mdistiller ../mdistiller
    /usr/bin/python3 tests/DslKd.Runtime.Tests/Fixtures/make_peer_fixtures.py \\
        --torchdistill ../torchdistill --mdistiller ../mdistiller
It needs PyTorch (Debian's python3-torch) and git, and rewrites peer_loss_fixtures.json beside this file;
PeerLossFixtureTests compares DslKd's values and the student's gradients to it.
"""
import argparse
import importlib
import io
import json
import os
import subprocess
import sys
import tarfile
import tempfile

import torch

DT = torch.float64

TORCHDISTILL_FILES = ["torchdistill/__init__.py", "torchdistill/common/__init__.py", "torchdistill/common/constant.py",
                      "torchdistill/common/misc_util.py", "torchdistill/losses"]
MDISTILLER_FILES = ["mdistiller/__init__.py", "mdistiller/distillers/_base.py", "mdistiller/distillers/DKD.py",
                    "mdistiller/distillers/RKD.py", "mdistiller/distillers/PKT.py"]


def git(repository, *args, binary=False):
    out = subprocess.run(["git", "-C", repository, *args], check=True, stdout=subprocess.PIPE).stdout
    return out if binary else out.decode().strip()


def extract(repository, paths, destination):
    """Copies `paths` of the repository's HEAD commit into `destination`; returns the commit hash."""
    commit = git(repository, "rev-parse", "HEAD")
    archive = git(repository, "archive", "--format=tar", commit, *paths, binary=True)
    with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
        tar.extractall(destination)
    return commit


def tensor_json(t):
    return {"shape": list(t.shape), "data": [float(v) for v in t.detach().reshape(-1).tolist()]}


def randn(*shape, scale=1.0):
    # Inputs on a 1e-4 grid: k / 1e4 is the double nearest to the decimal, so the JSON holds short numbers and C#
    # parses back exactly the tensor the peers saw.
    return (torch.randn(*shape, dtype=DT) * scale * 1e4).round() / 1e4


def labels_json(t):
    return {"shape": list(t.shape), "data": [int(v) for v in t.reshape(-1).tolist()]}


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--torchdistill", required=True, help="torchdistill clone, checkout or git directory")
    parser.add_argument("--mdistiller", required=True, help="mdistiller clone, checkout or git directory")
    options = parser.parse_args()

    with tempfile.TemporaryDirectory() as peers:
        torchdistill_commit = extract(options.torchdistill, TORCHDISTILL_FILES, peers)
        mdistiller_commit = extract(options.mdistiller, MDISTILLER_FILES, peers)
        with open(os.path.join(peers, "mdistiller", "distillers", "__init__.py"), "w") as f:
            f.write("# Stub written by make_peer_fixtures.py: the real one imports every distiller.\n")
        sys.path.insert(0, peers)
        td = importlib.import_module("torchdistill.losses.mid_level")
        md_dkd = importlib.import_module("mdistiller.distillers.DKD")
        md_rkd = importlib.import_module("mdistiller.distillers.RKD")
        md_pkt = importlib.import_module("mdistiller.distillers.PKT")
        cases = make_cases(td, md_dkd, md_rkd, md_pkt)

    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "peer_loss_fixtures.json")
    metadata = {
        "generator": f"make_peer_fixtures.py, torch {torch.__version__}",
        "peers": {
            "torchdistill": {"repository": "https://github.com/yoshitomo-matsubara/torchdistill", "commit": torchdistill_commit,
                             "code": "torchdistill/losses/mid_level.py"},
            "mdistiller": {"repository": "https://github.com/megvii-research/mdistiller", "commit": mdistiller_commit,
                           "code": "mdistiller/distillers/{DKD,RKD,PKT}.py"},
        },
    }
    with open(path, "w") as f:
        # One case per line: small, and diffs stay readable when a fixture changes.
        f.write('{"metadata": %s, "cases": [\n' % json.dumps(metadata))
        f.write(",\n".join(json.dumps(case) for case in cases))
        f.write("\n]}\n")
    print(f"wrote {len(cases)} cases to {path}")


def make_cases(td, md_dkd, md_rkd, md_pkt):
    torch.manual_seed(20260702)
    cases = []

    def add(name, peer, code, term, args, inputs, value, student, labels=None):
        case = {"name": name, "peer": peer, "peerCode": code, "term": term, "args": args,
                "inputs": {k: tensor_json(v) for k, v in inputs.items()}, "expected": float(value)}
        if labels is not None:
            case["labels"] = labels_json(labels)
        if student is not None:
            value.backward()
            case["expectedStudentGradient"] = tensor_json(student.grad)
        cases.append(case)

    def io(tensor, path="."):
        return {path: {"output": tensor, "input": tensor}}

    classes = 10
    for batch in (2, 8):
        for temperature in (1.0, 4.0):
            # Logit-standardized KD, bare: alpha unset returns torchdistill's KL (batchmean) of the standardized logits
            # over T, without T^2. beta must be given: with alpha and beta both unset the constructor computes 1 - None.
            s = randn(batch, classes, scale=3).requires_grad_()
            t = randn(batch, classes, scale=3)
            loss = td.LogitStdKDLoss(".", "output", ".", "output", temperature=temperature, alpha=None, beta=1.0)
            add(f"torchdistill LogitStdKDLoss bare B={batch} T={temperature}", "torchdistill",
                f"LogitStdKDLoss(temperature={temperature}, alpha=None, beta=1.0)", "LogitStdKD",
                {"temperature": temperature, "composition": "bare"}, {"student": s, "teacher": t},
                loss(io(s), io(t)), s)

            # With a hard-label weight: alpha * CE(raw student logits) + beta * T^2 * KL (the sample config's 0.5, 9).
            s = randn(batch, classes, scale=3).requires_grad_()
            t = randn(batch, classes, scale=3)
            labels = torch.randint(0, classes, (batch,))
            loss = td.LogitStdKDLoss(".", "output", ".", "output", temperature=temperature, alpha=0.5, beta=9.0)
            add(f"torchdistill LogitStdKDLoss alpha=0.5 beta=9 B={batch} T={temperature}", "torchdistill",
                f"LogitStdKDLoss(temperature={temperature}, alpha=0.5, beta=9.0)", "LogitStdKD",
                {"temperature": temperature, "composition": "weighted", "alpha": 0.5, "beta": 9.0},
                {"student": s, "teacher": t}, loss(io(s), io(t), labels), s, labels)

        # The standardization alone (its eps and unbiased std), on ordinary, large and constant rows.
        # Row 0 is constant (std 0: only eps keeps it finite), row 1 has a spread of 1e-6, where eps = 1e-7 matters.
        logits = randn(batch, classes, scale=5) + 2
        logits[0] = 7.0
        logits[1] = 3.0 + torch.randn(classes, dtype=DT) * 1e-6
        standardizer = td.LogitStdKDLoss(".", "output", ".", "output", temperature=1.0, alpha=None, beta=1.0)
        cases.append({"name": f"torchdistill LogitStdKDLoss.standardize B={batch}", "peer": "torchdistill",
                      "peerCode": "LogitStdKDLoss.standardize", "term": "Standardize", "args": {},
                      "inputs": {"logits": tensor_json(logits)}, "expectedOutput": tensor_json(standardizer.standardize(logits))})

        # DKD, mdistiller's own dkd_loss, plain and on torchdistill's standardized logits.
        for temperature, alpha, beta in ((4.0, 1.0, 8.0), (1.0, 0.5, 2.0)):
            for standardize in (False, True):
                s = randn(batch, classes, scale=3).requires_grad_()
                t = randn(batch, classes, scale=3)
                labels = torch.randint(0, classes, (batch,))
                if standardize:
                    value = md_dkd.dkd_loss(standardizer.standardize(s), standardizer.standardize(t), labels, alpha, beta, temperature)
                    code = "mdistiller dkd_loss on torchdistill LogitStdKDLoss.standardize"
                else:
                    value = md_dkd.dkd_loss(s, t, labels, alpha, beta, temperature)
                    code = "mdistiller dkd_loss"
                add(f"mdistiller dkd_loss standardize={standardize} B={batch} T={temperature} alpha={alpha} beta={beta}",
                    "mdistiller", code, "DecoupledKnowledgeDistillation",
                    {"temperature": temperature, "alpha": alpha, "beta": beta, "standardize": standardize},
                    {"student": s, "teacher": t}, value, s, labels)

    # RKD and PKT: student and teacher widths differ; [B, C, H, W] maps are flattened by both sides.
    # "duplicate": samples 0 and 1 coincide, in the student and in the teacher, so RKD's floor of 1e-12 on squared
    # distances and the L2 normalisation's floor on zero differences decide the value and keep the gradient finite.
    shapes = [((2, 5), (2, 7)), ((8, 12), (8, 20)), ((8, 3, 2, 2), (8, 5, 3, 1))]
    variants = [(shape, variant) for shape in shapes for variant in ("", "relu")] + [(shapes[1], "duplicate")]
    for (student_shape, teacher_shape), variant in variants:
        s0 = randn(*student_shape)
        t = randn(*teacher_shape, scale=2)
        if variant == "relu":  # pooled penultimate features are non-negative
            s0, t = s0.relu(), t.relu()
        if variant == "duplicate":
            s0[1], t[1] = s0[0], t[0]
        shape = f"S{list(student_shape)} T{list(teacher_shape)}{' ' + variant if variant else ''}"
        for distance, angle in ((1.0, 2.0), (25.0, 50.0), (1.0, 0.0), (0.0, 1.0)):
            s = s0.clone().requires_grad_()
            loss = td.RKDLoss("s", "t", dist_factor=distance, angle_factor=angle, reduction="mean")
            add(f"torchdistill RKDLoss {shape} distance={distance} angle={angle}", "torchdistill",
                f"RKDLoss(dist_factor={distance}, angle_factor={angle}, reduction='mean')", "RelationalKD",
                {"distanceWeight": distance, "angleWeight": angle}, {"student": s, "teacher": t},
                loss(io(s, "s"), io(t, "t")), s)
            s = s0.clone().requires_grad_()
            add(f"mdistiller rkd_loss {shape} distance={distance} angle={angle}", "mdistiller",
                f"rkd_loss(squared=False, eps=1e-12, distance_weight={distance}, angle_weight={angle})", "RelationalKD",
                {"distanceWeight": distance, "angleWeight": angle}, {"student": s, "teacher": t},
                md_rkd.rkd_loss(s, t, False, 1e-12, distance, angle), s)

        # The peers' PKT needs [B, D]: they get the flattened features, DslKd the original ones.
        s = s0.clone().requires_grad_()
        loss = td.PKTLoss("s", "output", "t", "output", eps=1e-7)
        add(f"torchdistill PKTLoss {shape}", "torchdistill", "PKTLoss(eps=1e-7), on features flattened to [B, D]",
            "ProbabilisticTransfer", {}, {"student": s, "teacher": t},
            loss(io(s.flatten(1), "s"), io(t.flatten(1), "t")), s)
        s = s0.clone().requires_grad_()
        add(f"mdistiller pkt_loss {shape}", "mdistiller", "pkt_loss(eps=1e-7), on features flattened to [B, D]",
            "ProbabilisticTransfer", {}, {"student": s, "teacher": t}, md_pkt.pkt_loss(s.flatten(1), t.flatten(1)), s)
    return cases


if __name__ == "__main__":
    main()
