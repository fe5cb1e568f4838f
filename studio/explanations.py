"""How the controls that are not registry entries work: losses, regularization, early stopping, metrics.

Registry entries (optimizers, schedules, blocks) carry their own :class:`~studio.registry.Explanation`
(``REG[name].explain``); the rest are fields of the Recipe or numbers of a summary, explained here,
keyed by the name the Recipe or the metrics use. :func:`explanation` finds either kind, so the UI
renders every "How it works" box the same way and never spells a formula itself.
"""

from __future__ import annotations

from studio.registry import Explanation

LOSSES: dict[str, Explanation] = {
    "cross_entropy": Explanation(
        formula=r"""\begin{aligned}
p_{ik} &= \frac{e^{z_{ik}}}{\sum_{j=1}^{K} e^{z_{ij}}}, \qquad
q_{ik} = (1 - \varepsilon)\,[k = y_i] + \frac{\varepsilon}{K} \\
L &= -\frac{1}{B} \sum_{i=1}^{B} \sum_{k=1}^{K} q_{ik} \log p_{ik}
\end{aligned}""",
        words="The network gives K scores z per sample; softmax turns them into probabilities p. The loss is the "
              "average, over the B samples of a batch, of minus the log-probability given to the true class y "
              "(with label smoothing ε > 0, a small share ε of the target q is spread over all classes). With "
              "class_weights 'balanced', each sample's term counts w_y = n / (K·n_y) times and the average is "
              "divided by the sum of those weights instead of B.",
        expect="Predicting the class shares alone gives the entropy of the class distribution (ln 2 ≈ 0.69 for "
               "two equal classes); a useful model goes well below that. The loss keeps falling while the "
               "model grows more confident, even after accuracy has stopped improving.",
    ),
    "mse": Explanation(
        formula=r"L = \frac{1}{B} \sum_{i=1}^{B} (\hat y_i - y_i)^2",
        words="The mean of the squared differences between prediction ŷ and target y over a batch. The "
              "studio trains on the target standardized with the training rows' mean and standard deviation, "
              "so the loss is in units of the target's variance.",
        expect="Always predicting the mean gives a loss of about 1.0 here; 0.1 means the model explains about "
               "90% of the variance (R² ≈ 0.9). Large errors count heavily, so a few outliers can dominate.",
    ),
    "huber": Explanation(
        formula=r"""L = \frac{1}{B} \sum_{i=1}^{B} \ell(\hat y_i - y_i), \qquad
\ell(r) = \begin{cases} \tfrac12 r^2 & |r| \le \delta \\ \delta\,(|r| - \tfrac12 \delta) & |r| > \delta \end{cases},
\quad \delta = 1""",
        words="Squared error for small errors and absolute error for large ones (beyond δ = 1 standard "
              "deviation of the target, which is standardized for training). Outliers then pull on the model "
              "with a constant force instead of one that grows with the error.",
        expect="Less disturbed by outliers than MSE; the numbers are about half MSE's for small errors, so do "
               "not compare the two losses directly.",
    ),
}

REGULARIZATION: dict[str, Explanation] = {
    "l1": Explanation(
        formula=r"L_{total} = L + \lambda_1 \sum_{w} |w|",
        words="Adds λ₁ (l1) times the sum of the absolute values of all weights (kernels of dense and "
              "convolution layers; not biases or normalization scales) to the loss. Its gradient λ₁·sign(w) "
              "pulls every weight towards zero by the same amount, so small weights end at exactly zero.",
        expect="Sparse models: many weights become 0, which ignores useless inputs. Typical values are 1e-5 to "
               "1e-3; the training loss shown includes only L, so it rises a little while overfitting falls.",
    ),
    "l2": Explanation(
        formula=r"L_{total} = L + \lambda_2 \sum_{w} w^2",
        words="Adds λ₂ (l2) times the sum of the squared weights (kernels, not biases or normalization "
              "scales) to the loss. Its gradient 2λ₂·w pulls each weight towards zero in proportion to its "
              "size, so large weights shrink most; this is separate from the optimizer's weight_decay.",
        expect="Smoother decision boundaries and a smaller gap between training and validation loss. Typical "
               "values are 1e-5 to 1e-2; too large and the model underfits (both losses stay high).",
    ),
    "label_smoothing": Explanation(
        formula=r"q_k = (1 - \varepsilon)\,[k = y] + \frac{\varepsilon}{K}",
        words="Classification only: instead of asking for probability 1 on the true class, the target q gives "
              "it 1 − ε + ε/K and spreads ε/K to every class, so the network is never pushed to infinite "
              "confidence.",
        expect="Slightly higher training loss (it cannot reach 0), better-calibrated probabilities and often a "
               "little better validation accuracy; 0.05 to 0.1 is usual.",
    ),
    "grad_clip": Explanation(
        formula=r"g \leftarrow g \cdot \min\!\left(1, \frac{c}{\lVert g \rVert_2}\right)",
        words="Before each step, the gradients of all weights together are treated as one vector; when its "
              "length is above c (grad_clip) it is scaled down to length c. Its direction is kept.",
        expect="Prevents single huge steps (and NaN losses) from exploding gradients; with a reasonable c it "
               "changes nothing on most steps. Too small a c slows training like a tiny learning rate.",
    ),
    "class_weights": Explanation(
        formula=r"w_k = \frac{n}{K\, n_k}, \qquad L = \frac{\sum_i w_{y_i}\, \ell_i}{\sum_i w_{y_i}}",
        words="'balanced' gives each class k a weight inversely proportional to its count n_k among the n "
              "training rows (K classes), so every class contributes as much to the loss as if the classes "
              "were equally common.",
        expect="Rare classes are predicted more often: their recall rises, usually at some cost in precision and "
               "overall accuracy. Use it when the classes are skewed and the rare ones matter.",
    ),
    "early_stopping": Explanation(
        formula=r"""\begin{aligned}
\text{improved at } e &\iff L^{val}_e < \min_{e' < e} L^{val}_{e'} - \delta \\
\text{stop at } e &\iff \text{none of the epochs } e - p + 1, \dots, e \text{ improved}
\end{aligned}""",
        words="After every epoch the monitored number (validation loss, or the validation metric) is compared "
              "with the best so far (a metric must rise instead); a change smaller than δ (min_delta) does not "
              "count. When p (patience) epochs in a row bring no improvement, training stops, and the weights "
              "of the best epoch are kept.",
        expect="Runs end once the model stops getting better on held-out data, which is the moment "
               "overfitting begins; a small patience may stop during a temporary plateau.",
    ),
}

METRICS: dict[str, Explanation] = {
    "accuracy": Explanation(
        formula=r"\text{accuracy} = \frac{1}{n} \sum_{i=1}^{n} [\hat y_i = y_i], \qquad "
                r"\hat y_i = \arg\max_k p_{ik}",
        words="The share of rows whose most probable class is the true one.",
        expect="Compare it with the share of the largest class: a model that always predicts that class "
               "already reaches it.",
    ),
    "precision_macro": Explanation(
        formula=r"\text{precision} = \frac{1}{K} \sum_{k=1}^{K} \frac{TP_k}{TP_k + FP_k}",
        words="For each class, the share of the rows predicted as that class that really are it; then the plain "
              "average over the K classes (each class counts the same, whatever its size).",
        expect="Low when the model claims a class too often. Macro averaging makes rare classes count fully.",
    ),
    "recall_macro": Explanation(
        formula=r"\text{recall} = \frac{1}{K} \sum_{k=1}^{K} \frac{TP_k}{TP_k + FN_k}",
        words="For each class, the share of its rows that the model finds; then the average over the classes.",
        expect="Low when the model misses a class; balancing the class weights usually raises it for rare "
               "classes.",
    ),
    "f1_macro": Explanation(
        formula=r"F_1 = \frac{1}{K} \sum_{k=1}^{K} \frac{2\, P_k R_k}{P_k + R_k}",
        words="For each class, the harmonic mean of its precision P and recall R; then the average over the "
              "classes. It is high only when both are.",
        expect="A single number that does not hide a neglected class the way accuracy can.",
    ),
    "roc_auc": Explanation(
        formula=r"\text{AUC} = P\big(s(x^+) > s(x^-)\big)",
        words="The probability that a random row of the positive class gets a higher score s than a random "
              "row of the negative class (the area under the ROC curve). With more than two classes, each class "
              "against the rest, averaged.",
        expect="0.5 is guessing, 1.0 a perfect ranking. It ignores the decision threshold, so it can be high "
               "while accuracy is modest.",
    ),
    "log_loss": Explanation(
        formula=r"\text{log loss} = -\frac{1}{n} \sum_{i=1}^{n} \log p_{i, y_i}",
        words="The cross-entropy of the predicted probabilities on the test rows: minus the average "
              "log-probability given to the true class.",
        expect="Punishes confident mistakes heavily; lower is better, and the loss of predicting the class "
               "shares is the baseline to beat.",
    ),
    "mse": Explanation(
        formula=r"\text{MSE} = \frac{1}{n} \sum_{i=1}^{n} (\hat y_i - y_i)^2",
        words="The mean squared error in the target's own units, squared.",
        expect="Dominated by the largest errors; compare it with the variance of the target.",
    ),
    "rmse": Explanation(
        formula=r"\text{RMSE} = \sqrt{\frac{1}{n} \sum_{i=1}^{n} (\hat y_i - y_i)^2}",
        words="The root of the MSE: a typical error size, in the target's own units.",
        expect="Directly comparable with the target's standard deviation (what predicting the mean achieves).",
    ),
    "mae": Explanation(
        formula=r"\text{MAE} = \frac{1}{n} \sum_{i=1}^{n} |\hat y_i - y_i|",
        words="The average absolute error, in the target's units.",
        expect="Less moved by a few large errors than RMSE; RMSE well above MAE means some predictions are far "
               "off.",
    ),
    "r2": Explanation(
        formula=r"R^2 = 1 - \frac{\sum_i (\hat y_i - y_i)^2}{\sum_i (y_i - \bar y)^2}",
        words="The share of the target's variance that the model explains: 1 minus its squared error divided "
              "by that of always predicting the mean ȳ.",
        expect="1 is perfect, 0 is no better than the mean, and it can be negative for a model worse than the "
               "mean.",
    ),
}

GROUPS: dict[str, dict[str, Explanation]] = {"losses": LOSSES, "regularization": REGULARIZATION,
                                             "metrics": METRICS}


def explanation(group: str, name: str) -> Explanation | None:
    """The explanation of ``name`` in ``group``: a registry (``"optimizers"``, ``"schedules"``, ``"blocks"``,
    as :func:`studio.catalog.registry` names them) or one of :data:`GROUPS`; None when there is none."""
    if group in GROUPS:
        return GROUPS[group].get(name)
    from studio import catalog

    registry = catalog.registry(group)
    return registry[name].explain if name in registry else None
