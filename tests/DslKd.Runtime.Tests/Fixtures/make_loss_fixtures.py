#!/usr/bin/python3
"""Reference values for DslKd's loss terms, computed with real PyTorch.

Run with Debian's PyTorch (apt-get install python3-torch libopenblas0-pthread):
    /usr/bin/python3 tests/DslKd.Runtime.Tests/Fixtures/make_loss_fixtures.py
It rewrites loss_fixtures.json beside this file; DistillationLossNumericsTests compares DslKd to it.
The formulas here are written from the papers with PyTorch's own primitives, independently of the C# code.
"""
import json
import os

import torch
import torch.nn.functional as F

torch.manual_seed(20261124)
DT = torch.float64


def tensor_json(t):
    return {"shape": list(t.shape), "data": [float(v) for v in t.detach().reshape(-1).tolist()]}


def labels_json(t):
    return {"shape": list(t.shape), "data": [int(v) for v in t.reshape(-1).tolist()]}


cases = []


def add(name, term, inputs, value, grad=None, **args):
    case = {"name": name, "term": term, "args": args, "inputs": {k: tensor_json(v) for k, v in inputs.items()},
            "expected": float(value)}
    if grad is not None:
        case["expectedStudentGradient"] = tensor_json(grad)
    cases.append(case)


B, C = 6, 5
for temperature in (1.0, 4.0, 20.0):
    s = (torch.randn(B, C, dtype=DT) * 3).requires_grad_()
    t = torch.randn(B, C, dtype=DT) * 3
    # Hinton et al. 2015 with PyTorch's batchmean KL: KL(p_t || p_s) * T^2.
    value = F.kl_div(F.log_softmax(s / temperature, 1), F.log_softmax(t / temperature, 1),
                     reduction="batchmean", log_target=True) * temperature ** 2
    value.backward()
    add(f"soft targets T={temperature}", "SoftTargets", {"student": s, "teacher": t}, value, s.grad, temperature=temperature)

    s2 = torch.randn(B, C, dtype=DT) * 3
    pt = F.softmax(t / temperature, 1)
    ce = -(pt * F.log_softmax(s2 / temperature, 1)).sum(1).mean()
    add(f"soft-target cross-entropy T={temperature}", "SoftTargetCrossEntropy", {"student": s2, "teacher": t}, ce,
        temperature=temperature)

labels = torch.randint(0, C, (B,))
for smoothing in (0.0, 0.1):
    s = torch.randn(B, C, dtype=DT) * 2
    value = F.cross_entropy(s, labels, label_smoothing=smoothing)
    cases.append({"name": f"hard labels smoothing={smoothing}", "term": "HardLabels", "args": {"labelSmoothing": smoothing},
                  "inputs": {"student": tensor_json(s)}, "labels": labels_json(labels), "expected": float(value)})

s, t = torch.randn(B, C, dtype=DT), torch.randn(B, C, dtype=DT)
add("logit matching", "LogitMatching", {"student": s, "teacher": t}, F.mse_loss(s, t))

s = torch.randn(B, 3, 4, 4, dtype=DT).requires_grad_()
t = torch.randn(B, 3, 4, 4, dtype=DT)
value = F.mse_loss(s, t)
value.backward()
add("feature hint (maps)", "FeatureHint", {"student": s, "teacher": t}, value, s.grad)

s, t = torch.randn(B, 16, dtype=DT), torch.randn(B, 16, dtype=DT)
add("cosine feature", "CosineFeature", {"student": s, "teacher": t}, (1 - F.cosine_similarity(s, t, dim=1)).mean())


def attention(f, p):
    # Zagoruyko and Komodakis 2017, as in their reference code: normalize(f.pow(p).mean(1).view(B, -1)).
    return F.normalize(f.abs().pow(p).mean(1).view(f.size(0), -1))


s, t = torch.randn(B, 4, 5, 5, dtype=DT), torch.randn(B, 7, 5, 5, dtype=DT)
for p in (2.0, 1.0):
    add(f"attention transfer p={p}", "AttentionTransfer", {"student": s, "teacher": t},
        (attention(s, p) - attention(t, p)).pow(2).mean(), p=p)

pairs = [(torch.randn(4, 3, dtype=DT), torch.randn(4, 3, dtype=DT)), (torch.randn(4, dtype=DT), torch.randn(4, dtype=DT))]
inputs = {}
for i, (a, b) in enumerate(pairs):
    inputs[f"student{i}"] = a
    inputs[f"teacher{i}"] = b
add("parameter anchoring", "ParameterAnchoring", inputs, sum(((a - b) ** 2).sum() for a, b in pairs))

def dkd(logits_student, logits_teacher, target, alpha, beta, temperature):
    # Decoupled KD as in the authors' reference implementation (mdistiller, Zhao et al. 2022).
    gt_mask = F.one_hot(target, logits_student.shape[1]).bool()
    other_mask = ~gt_mask
    pred_student = F.softmax(logits_student / temperature, dim=1)
    pred_teacher = F.softmax(logits_teacher / temperature, dim=1)

    def cat_mask(t):
        return torch.cat([(t * gt_mask).sum(1, keepdims=True), (t * other_mask).sum(1, keepdims=True)], dim=1)

    tckd = F.kl_div(torch.log(cat_mask(pred_student)), cat_mask(pred_teacher), reduction="sum") * temperature ** 2 / target.shape[0]
    pred_teacher_part2 = F.softmax(logits_teacher / temperature - 1000.0 * gt_mask, dim=1)
    log_pred_student_part2 = F.log_softmax(logits_student / temperature - 1000.0 * gt_mask, dim=1)
    nckd = F.kl_div(log_pred_student_part2, pred_teacher_part2, reduction="sum") * temperature ** 2 / target.shape[0]
    return alpha * tckd + beta * nckd


def dkd_log_space(logits_student, logits_teacher, target, alpha, beta, temperature):
    # The same value with the teacher's distributions as log-probabilities (kl_div's log_target). The authors' form
    # above gives the teacher a NaN gradient: the target class has probability exp(-1000) = 0 in the non-target
    # distribution and d/dp [p log p] = log 0 + 1 = -inf there, times the softmax Jacobian's 0. With log_target the
    # KL is exp(l_t) * (l_t - l_s), finite everywhere, so this form gives the reference gradient for the teacher.
    gt_mask = F.one_hot(target, logits_student.shape[1]).bool()

    def binary(logits):
        log_p = F.log_softmax(logits / temperature, dim=1)
        return torch.stack([log_p[gt_mask], torch.logsumexp(log_p.masked_fill(gt_mask, float("-inf")), dim=1)], dim=1)

    tckd = F.kl_div(binary(logits_student), binary(logits_teacher), reduction="sum", log_target=True)
    nckd = F.kl_div(F.log_softmax(logits_student / temperature - 1000.0 * gt_mask, dim=1),
                    F.log_softmax(logits_teacher / temperature - 1000.0 * gt_mask, dim=1), reduction="sum", log_target=True)
    return (alpha * tckd + beta * nckd) * temperature ** 2 / target.shape[0]


for temperature, alpha, beta in ((4.0, 1.0, 8.0), (1.0, 0.5, 2.0)):
    s = (torch.randn(B, C, dtype=DT) * 2).requires_grad_()
    # The teacher takes gradients too: online and mutual distillation train it with the same term.
    t = (torch.randn(B, C, dtype=DT) * 2).requires_grad_()
    value = dkd(s, t, labels, alpha, beta, temperature)
    value.backward()
    s_again, t.grad = s.detach().clone().requires_grad_(), None
    value_again = dkd_log_space(s_again, t, labels, alpha, beta, temperature)
    value_again.backward()
    assert torch.allclose(value_again, value, rtol=1e-12) and torch.allclose(s_again.grad, s.grad, rtol=1e-10, atol=1e-14)
    assert torch.isfinite(t.grad).all()
    case = {"name": f"decoupled KD T={temperature} alpha={alpha} beta={beta}", "term": "DecoupledKnowledgeDistillation",
            "args": {"temperature": temperature, "alpha": alpha, "beta": beta},
            "inputs": {"student": tensor_json(s), "teacher": tensor_json(t)}, "labels": labels_json(labels),
            "expected": float(value), "expectedStudentGradient": tensor_json(s.grad),
            "expectedTeacherGradient": tensor_json(t.grad)}
    cases.append(case)



def standardize(z):
    # Sun et al. 2024, with torchdistill's conventions: torch.std's unbiased default, eps 1e-7 added to the std.
    return (z - z.mean(1, keepdim=True)) / (z.std(1, keepdim=True) + 1e-7)


logits = torch.randn(B, C, dtype=DT) * 4 - 1
logits[1] = 3.0  # constant: std 0, only eps keeps it finite (all zeros)
logits[2] = -2.0 + torch.randn(C, dtype=DT) * 1e-6  # spread 1e-6: eps = 1e-7 changes the result by ~10%
cases.append({"name": "standardize", "term": "Standardize", "args": {}, "inputs": {"logits": tensor_json(logits)},
              "expectedOutput": tensor_json(standardize(logits))})

for temperature in (1.0, 4.0):
    s = (torch.randn(B, C, dtype=DT) * 3).requires_grad_()
    t = torch.randn(B, C, dtype=DT) * 3
    value = F.kl_div(F.log_softmax(standardize(s) / temperature, 1), F.log_softmax(standardize(t) / temperature, 1),
                     reduction="batchmean", log_target=True) * temperature ** 2
    value.backward()
    add(f"soft targets standardized T={temperature}", "SoftTargets", {"student": s, "teacher": t}, value, s.grad,
        temperature=temperature, standardize=True)

    s = (torch.randn(B, C, dtype=DT) * 3).requires_grad_()
    value = -(F.softmax(standardize(t) / temperature, 1) * F.log_softmax(standardize(s) / temperature, 1)).sum(1).mean()
    value.backward()
    add(f"soft-target cross-entropy standardized T={temperature}", "SoftTargetCrossEntropy", {"student": s, "teacher": t},
        value, s.grad, temperature=temperature, standardize=True)

    s = (torch.randn(B, C, dtype=DT) * 3).requires_grad_()
    t = (torch.randn(B, C, dtype=DT) * 3).requires_grad_()
    value = dkd_log_space(standardize(s), standardize(t), labels, 1.0, 8.0, temperature)
    value.backward()
    cases.append({"name": f"decoupled KD standardized T={temperature}", "term": "DecoupledKnowledgeDistillation",
                  "args": {"temperature": temperature, "alpha": 1.0, "beta": 8.0, "standardize": True},
                  "inputs": {"student": tensor_json(s), "teacher": tensor_json(t)}, "labels": labels_json(labels),
                  "expected": float(value), "expectedStudentGradient": tensor_json(s.grad),
                  "expectedTeacherGradient": tensor_json(t.grad)})


def rkd(fs, ft, distance_weight, angle_weight):
    # Park et al. 2019 with torch primitives: Euclidean distances divided by their mean over the pairs i != j, angles
    # as cosines between e_j - e_i and e_k - e_i (0 when either is the zero vector), Huber (smooth L1, beta 1) means.
    def distances(f):
        d = torch.cdist(f, f)
        return d / d[~torch.eye(len(f), dtype=torch.bool)].mean()

    def angles(f):
        e = f.unsqueeze(0) - f.unsqueeze(1)
        return F.cosine_similarity(e.unsqueeze(2), e.unsqueeze(1), dim=3, eps=1e-12)

    fs, ft = fs.flatten(1), ft.flatten(1)
    return (distance_weight * F.smooth_l1_loss(distances(fs), distances(ft))
            + angle_weight * F.smooth_l1_loss(angles(fs), angles(ft)))


def pkt(fs, ft, eps=1e-7):
    # Passalis and Tefas 2018 as in their code: cosine kernel moved to [0, 1], rows normalised to conditional
    # probabilities (the diagonal included), KL averaged over all B^2 pairs, eps 1e-7 in the norms and in the log.
    def probabilities(f):
        f = f.flatten(1)
        f = f / (f.norm(dim=1, keepdim=True) + eps)
        k = (f @ f.t() + 1) / 2
        return k / k.sum(1, keepdim=True)

    p_s, p_t = probabilities(fs), probabilities(ft)
    return (p_t * torch.log((p_t + eps) / (p_s + eps))).mean()


for (student_shape, teacher_shape), (distance, angle) in zip([((B, 7), (B, 11)), ((B, 3, 2, 2), (B, 4, 2, 3))],
                                                             [(1.0, 2.0), (25.0, 50.0)]):
    s = torch.randn(*student_shape, dtype=DT).requires_grad_()
    t = torch.randn(*teacher_shape, dtype=DT) * 2
    value = rkd(s, t, distance, angle)
    value.backward()
    add(f"relational KD S{list(student_shape)} T{list(teacher_shape)}", "RelationalKD", {"student": s, "teacher": t},
        value, s.grad, distanceWeight=distance, angleWeight=angle)

    s = torch.randn(*student_shape, dtype=DT).requires_grad_()
    value = pkt(s, t)
    value.backward()
    add(f"probabilistic transfer S{list(student_shape)} T{list(teacher_shape)}", "ProbabilisticTransfer",
        {"student": s, "teacher": t}, value, s.grad)

path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "loss_fixtures.json")
with open(path, "w") as f:
    # One case per line: small, and diffs stay readable when a fixture changes.
    f.write('{"generator": %s, "cases": [\n' % json.dumps(f"torch {torch.__version__}"))
    f.write(",\n".join(json.dumps(case) for case in cases))
    f.write("\n]}\n")
print(f"wrote {len(cases)} cases to {path}")
