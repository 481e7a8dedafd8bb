"""What the lessons' prose says about what a snippet prints, as checks on that output.

Each check gets `printed(section)`: what a block of its snippet file printed ("" or None for a file shown whole).
The same checks run on two outputs: the one stored in the lesson's notebook and shown under the code
(tests/test_output_claims.py), and the one the block prints when tests/test_snippets.py runs it. When a change of
a snippet or of the base model makes the prose wrong, they fail, and the prose or the snippet must change.

Each check runs on every backend the snippet runs on (sitebuild/backends.py), unless it names its backend: where
the backends behave differently, the page shows both outputs in tabs, and a check per backend states what each
prints (tests/test_output_claims.py fails on a backend's own check of a block whose outputs agree).
"""

import re

from sitebuild.backends import BACKENDS

CHECKS = {}  # snippet file name -> its checks, each with `.backends`


def checks_output_of(snippet, backends=BACKENDS):
    def register(check):
        check.backends = tuple(backends)
        CHECKS.setdefault(snippet, []).append(check)
        return check
    return register


def checks_on(snippet, backend):
    """The checks of a snippet's output on one backend."""
    return [check for check in CHECKS.get(snippet, []) if backend in check.backends]


def accuracies(text):
    """{line label: test accuracy} of lines like 'head only:   test accuracy 0.679'."""
    return {match["label"].strip(): float(match["value"])
            for match in re.finditer(r"^(?P<label>.*?)\s*test accuracy (?P<value>[\d.]+)", text, re.MULTILINE)}


@checks_output_of("l2_overfitting.py")
def every_layer_trainable_scores_lower_on_test_and_training_images_though_right_with_batch_statistics(printed):
    text = printed("frozen") + printed("all_trainable")
    rows = {match[1].strip(): (float(match[2]), float(match[3]), float(match[4])) for match in re.finditer(
        r"^(.*): train ([\d.]+), test ([\d.]+), gap [\d.]+\n.*train, training=True: ([\d.]+)", text, re.MULTILINE)}
    (frozen_train, frozen_test, frozen_batch), (open_train, open_test, open_batch) = \
        rows["frozen base"], rows["all layers trainable"]
    assert open_test < frozen_test and open_train < frozen_train, rows  # "lower on the test images, ... training"
    assert open_batch >= 0.9 and open_batch - open_train >= 0.2, rows  # "nearly all ... right", "far lower"
    assert frozen_batch == frozen_train, rows  # frozen: "the two lines agree"


@checks_output_of("l4_pretrained_vs_scratch.py")
def the_network_from_scratch_beat_the_frozen_pretrained_base(printed):
    scores = accuracies(printed("pretrained") + printed("scratch"))
    assert scores["from scratch:"] > scores["pretrained, frozen:"] > 0.5


@checks_output_of("l6_learning_rate.py")
def moderate_rate_adapts_large_rate_destroys(printed):
    text = printed("phase_1") + printed("two_rates")
    scores = accuracies(text)
    moved = {float(rate): float(percent) for rate, percent in
             re.findall(r"learning rate ([\d.e-]+)\s.*filters moved ([\d.]+)%", text)}
    head = scores["head only:"]
    moderate, large = sorted(moved)
    assert moved[moderate] < 10 and moved[large] > 200, moved  # "a little" vs "several times their own size"
    assert scores[f"learning rate {moderate:g}"] > head  # "rises above where the head alone had it"
    assert scores[f"learning rate {large:g}"] < head - 0.1  # "falls far below the head's"


@checks_output_of("l7_batchnorm.py")
def trainable_batchnorm_changes_statistics_and_scores_lower(printed):
    text = printed("batchnorm_trainable") + printed("batchnorm_frozen")
    scores = accuracies(text)
    assert "BatchNorm left trainable:  test accuracy" in text
    assert re.search(r"left trainable:.*statistics changed: True", text)
    assert re.search(r"BatchNorm frozen:.*statistics changed: False", text)
    assert scores["BatchNorm left trainable:"] < scores["BatchNorm frozen:"]  # "ends with the lower accuracy"


@checks_output_of("l8_end_to_end.py")
def stand_in_weights_score_near_chance_and_the_reload_matches(printed):
    text = printed("evaluate_save")
    accuracy = float(re.search(r"test accuracy: ([\d.]+)", text)[1])
    assert accuracy <= 2 / 4, text  # 4 classes, 16 test images: "anywhere from 0 to one half" (chance: 1 in 4)
    text = printed("predict")
    assert "reloaded model predicts the same: True" in text
    assert re.search(r"^my_test_images/\w+/\S+ -> \w+$", text, re.MULTILINE), text  # one test image classified
    warning = "UserWarning: `shuffle=True` was passed, but will be ignored"  # the page explains it
    assert warning in printed("train_head")
    fine_tune = printed("fine_tune")
    # "the 7 convolution kernels among them and the head's kernel and bias: the 9 weight tensors"
    assert "weight tensors to train: 9" in fine_tune and warning not in fine_tune


def summary_rows(text):
    """{layer name: its Trainable column} of a summary(show_trainable=True) table."""
    return dict(re.findall(r"^│\s*(?:└ )?(\S+) \(?\w*\)?\s*│.*│\s+([YN-])\s+│$", text, re.MULTILINE))


def trainable_params(text):
    return int(re.search(r"Trainable params: ([\d,]+)", text)[1].replace(",", ""))


@checks_output_of("l8_end_to_end.py")
def the_summary_shows_what_trains_in_each_phase(printed):
    head = printed("new_head")
    rows = summary_rows(head)
    base = next(name for name in rows if name.startswith("mobilenetv2"))
    # "The base is N, the dense head Y, and the Trainable params are the head's alone" (4 classes)
    assert (rows[base], rows["dense"], rows["augment"]) == ("N", "Y", "-"), rows
    features = int(re.search(r"global_average_pooling2d\s*│\s*\(None, (\d+)\)", head)[1])
    assert trainable_params(head) == features * 4 + 4, head
    fine_tune = printed("fine_tune")
    # "The summary's row for the base now says Y ... the Trainable params count is the one to read"
    assert summary_rows(fine_tune)[base] == "Y"
    total = int(re.search(r"Total params: ([\d,]+)", fine_tune)[1].replace(",", ""))
    assert trainable_params(head) < trainable_params(fine_tune) < total, fine_tune


@checks_output_of("l8_end_to_end.py")
def the_class_weights_make_every_class_count_the_same(printed):
    rows = re.findall(r"^\s*(\w+): +(\d+) training images, weight ([\d.]+)$", printed("class_weights"), re.MULTILINE)
    counts = {name: int(count) for name, count, _ in rows}
    weights = {name: float(weight) for name, _, weight in rows}
    assert len(rows) == 4 and len(set(counts.values())) > 1, rows  # the example folders are uneven
    # "count × weight is the same for each" (weights printed to 2 decimals)
    totals = [counts[name] * weights[name] for name in counts]
    assert max(totals) - min(totals) < 0.05 * max(counts.values()), rows
    assert min(counts, key=counts.get) == max(weights, key=weights.get), rows  # the rare class weighs most


@checks_output_of("l1_base_model.py")
def non_trainable_parameters_are_the_batchnorm_statistics(printed):
    text = printed()
    summary_rows = re.findall(r"BatchNormalization\)?.*?│\s+([\d,]+) │", text)
    non_trainable = int(re.search(r"Non-trainable params: ([\d,]+)", text)[1].replace(",", ""))
    # each BatchNormalization layer has 4 parameters per channel, half of them moving statistics
    assert non_trainable == sum(int(count.replace(",", "")) for count in summary_rows) // 2 > 0, text


@checks_output_of("l3_summary.py")
def the_heads_trainable_count_is_features_times_classes_plus_biases(printed):
    text = printed()
    features = int(re.search(r"fashion_base \(Functional\)\s*│\s*\(None, (\d+)\)", text)[1])
    trainable = int(re.search(r"Trainable params: ([\d,]+)", text)[1].replace(",", ""))
    assert trainable == features * 5 + 5, text  # "n × k weights in its kernel plus k biases", 5 classes


@checks_output_of("l3_gradient_tape.py")
def the_step_updates_only_the_trainable_weights_and_a_frozen_kernel_still_has_a_gradient(printed):
    text = printed()
    asked = re.search(r"^gradients computed for: (\[.*\])$", text, re.MULTILINE)[1]
    changed = re.search(r"^weights the step changed: (\[.*\])$", text, re.MULTILINE)[1]
    assert asked == changed == "['head/kernel', 'head/bias']", text  # "the head's kernel and bias"
    # "all 15 of them": 3 convolution kernels, 3 BatchNormalization layers of 4 weights each
    assert "weights it left as they were: 15" in text
    assert "the frozen block3_conv kernel has a gradient: True" in text  # "Freezing blocks no gradient"


@checks_output_of("l9_augmentation.py")
def augmentation_changes_images_only_in_training(printed):
    text = printed("only_in_training")
    assert "training=True changes the images:  True" in text
    assert "training=False changes the images: False" in text
    assert "predict() twice gives the same answers: True" in text
    assert list(accuracies(printed("train"))) == ["head trained with augmentation:"]


@checks_output_of("l9_mirror.py")
def shoes_face_one_way_shirts_and_bags_are_symmetric(printed):
    text = printed()
    differs = {name.strip(): int(percent) for name, percent in
               re.findall(r"^(.*): differs from its mirror image by (\d+)%$", text, re.MULTILINE)}
    assert max(differs["shirt"], differs["bag"]) < 20, differs  # "almost symmetric"
    # "differ from their mirror images far more": at least twice as much as the least symmetric of those two
    assert min(differs["sandal"], differs["sneaker"], differs["ankle boot"]) > 2 * max(differs["shirt"], differs["bag"])


def unfreeze_check_counts(text):
    counts = {label: int(count) for label, count in re.findall(r"^(.*?): (\d+)$", text, re.MULTILINE)}
    assert "base.trainable: True" in text, text  # "the model's own flag is still True"
    assert counts["weight tensors to train"] == 2, counts  # the head's two
    assert counts["after setting each layer"] == 3, counts  # "the third one ... is block3_conv's kernel"
    rows = dict(re.findall(r"^│\s*(?:└ )?(\w+) \(?\w*\)?\s*│.*│\s+([YN-])\s+│$", text, re.MULTILINE))
    assert (rows["fashion_base"], rows["block3_conv"], rows["block3_bn"], rows["block2_conv"]) == ("Y", "Y", "N", "N")
    return counts["after base.trainable = True"]


@checks_output_of("l3_unfreeze_check.py", backends=["tensorflow"])
def on_tensorflow_setting_the_flag_it_already_has_unfreezes_nothing_each_layer_does(printed):
    assert unfreeze_check_counts(printed()) == 2  # "changes nothing"


@checks_output_of("l3_unfreeze_check.py", backends=["jax"])
def on_jax_setting_the_flag_it_already_has_unfreezes_the_whole_base(printed):
    # "reaches every layer": the head's 2 and the base's 9 (3 kernels, 3 BatchNormalization gammas and betas)
    assert unfreeze_check_counts(printed()) == 11


def recompile_rule_lines(text):
    """{situation: (trainable weights, "base changed: True" | "base changed: False" | "fit() raised ValueError")}"""
    lines = {match["situation"]: (int(match["count"]), match["result"]) for match in re.finditer(
        r"^(?P<situation>\S.*?)\s+trainable weights:\s+(?P<count>\d+), (?P<result>base changed: \w+|fit\(\) raised "
        r"ValueError)", text, re.MULTILINE)}
    assert list(lines) == ["frozen before the first fit", "unfrozen, not recompiled", "unfrozen and recompiled",
                           "frozen again, not recompiled"], text
    return lines


@checks_output_of("l5_recompile_rule.py", backends=["tensorflow"])
def on_tensorflow_fit_without_compile_silently_trains_the_old_weights(printed):
    assert recompile_rule_lines(printed()) == {  # the page's table, column "TensorFlow"
        "frozen before the first fit": (2, "base changed: False"),
        "unfrozen, not recompiled": (11, "base changed: False"),
        "unfrozen and recompiled": (11, "base changed: True"),
        "frozen again, not recompiled": (2, "base changed: True")}


@checks_output_of("l5_recompile_rule.py", backends=["jax"])
def on_jax_fit_without_compile_raises(printed):
    text = printed()
    assert recompile_rule_lines(text) == {  # the page's table, column "JAX"
        "frozen before the first fit": (2, "base changed: False"),
        "unfrozen, not recompiled": (11, "fit() raised ValueError"),
        "unfrozen and recompiled": (11, "base changed: True"),
        "frozen again, not recompiled": (2, "fit() raised ValueError")}
    # the page quotes the error: "the optimizer was built with 2 variables"
    assert "Received len(trainable_variables) == 11 whereas the optimizer was built with 2 variables" in text, text
