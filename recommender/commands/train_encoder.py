"""``recommender train-encoder``: train our static Chinese + English encoder from public data and save it."""

from __future__ import annotations

import json
import os
import shutil
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

from recommender.errors import UserError

DEFAULT_DATA_DIR = "../shared/data"
DEFAULT_BENCH_DIR = "../shared/bench"
DEFAULT_CROSSFIT_FOLDS = 5


def register(subparsers) -> None:
    p = subparsers.add_parser(
        "train-encoder",
        help="train the default dense encoder (static embeddings, Chinese + English) from public taxonomy data",
        description="Build the tokenizer and training pairs from ../shared/data and the benches' knowledge files, "
                    "train a StaticEmbedding sentence-transformers model with an in-batch contrastive loss and its "
                    "cross-fitted companions; then (the teacher stage) fit the link predictor with them and train "
                    "them again with its top items as the targets of the titles of occupations without links "
                    "(--mix teacher_top_k=0 skips it); save the average to --out with a model card, and report "
                    "dense-only dev figures. Never reads dev queries or qrels for training.",
    )
    p.add_argument("--data-dir", type=Path, default=None,
                   help=f"public data folder (default: $RECOMMENDER_DATA_DIR or {DEFAULT_DATA_DIR})")
    p.add_argument("--bench-dir", type=Path, default=None,
                   help=f"benchmark folder, knowledge files only (default: $RECOMMENDER_BENCH_DIR or {DEFAULT_BENCH_DIR})")
    p.add_argument("--out", type=Path, required=True, help="model folder to write, e.g. models/worker-job-static-zh-en")
    p.add_argument("--name", default=None, help="model name in the card (default: the --out folder's name)")
    p.add_argument("--epochs", type=int, default=None, help="training epochs (default: 12)")
    p.add_argument("--seed", type=int, default=None, help="random seed (default: 13)")
    p.add_argument("--dim", type=int, default=None, help="embedding dimensions (default: 256)")
    p.add_argument("--batch-size", type=int, default=None, help="examples per batch (default: 512)")
    p.add_argument("--lr", type=float, default=None, help="Adam learning rate (default: 0.05)")
    p.add_argument("--english-init", choices=["random", "minilm"], default=None,
                   help="start of the English token vectors: random, or distilled from all-MiniLM-L6-v2 "
                        "(installed package, offline) (default: the TrainConfig default)")
    p.add_argument("--mix", action="append", default=[], metavar="FIELD=VALUE",
                   help="override a field of the pair mix (recommender.training.pairs.PairMix), e.g. "
                        "--mix related_titles_per_occupation=48; repeatable")
    p.add_argument("--crossfit-folds", type=int, default=DEFAULT_CROSSFIT_FOLDS, metavar="K",
                   help="after the model, train its K cross-fitted companions into OUT/crossfit (each without the "
                        "links of one fold of the occupations; the link predictor fits on their similarities), keep "
                        "the model as OUT/crossfit/full and make OUT the average of the full model and the "
                        f"companions; 0 to skip both (default: {DEFAULT_CROSSFIT_FOLDS})")
    p.add_argument("--crossfit-only", action="store_true",
                   help="train only the cross-fitted companions of the model already at --out (its full model: "
                        "OUT/crossfit/full when present, else OUT itself), with the configuration its "
                        "training_run.json records, and average them into OUT")
    p.add_argument("--device", default="cpu", help="torch device, e.g. cuda where one exists (default: cpu)")
    p.add_argument("--threads", type=int, default=2, help="torch CPU threads (default: 2)")
    p.add_argument("--no-eval", action="store_true", help="skip the dense-only dev evaluation after training")
    p.add_argument("--json", action="store_true", help="print the run summary as JSON on stdout")
    p.set_defaults(func=run)


def resolve_dir(value: Path | None, env: str, default: str) -> Path:
    """An explicit option, else the environment variable, else the default relative to the working directory."""
    path = value or Path(os.environ.get(env, default))
    if not path.is_dir():
        raise UserError(f"{path} is not a folder: pass it with the option or set ${env}")
    return path


def parse_mix(items: list[str]):
    """``FIELD=VALUE`` strings → a ``PairMix`` with those fields replaced (values typed like the defaults)."""
    from dataclasses import fields, replace

    from recommender.training.pairs import PairMix

    base = PairMix()
    types = {f.name: type(getattr(base, f.name)) for f in fields(PairMix)}
    changes = {}
    for item in items:
        name, sep, value = item.partition("=")
        if not sep or name not in types:
            raise UserError(f"--mix {item!r}: expected FIELD=VALUE with FIELD one of {', '.join(types)}")
        kind = types[name]
        try:
            changes[name] = tuple(v for v in value.split(",") if v) if kind is tuple else kind(value)
        except ValueError:
            raise UserError(f"--mix {item!r}: {value!r} is not a valid {kind.__name__}") from None
    return replace(base, **changes)


def run(args) -> int:
    import torch

    from recommender.encoders.crossfit import CROSSFIT_DIR
    from recommender.training.dense_eval import BENCH_LANG, evaluate_dense
    from recommender.training.knowledge import load_knowledge
    from recommender.training.model_card import folder_size_mb, measure_speed, render_card
    from recommender.training.open_world import TARGETS_FILE
    from recommender.training.pairs import PairBuilder
    from recommender.training.static_encoder import (
        TrainConfig,
        config_from_run,
        save_model,
        train_crossfit_models,
        train_static_encoder,
    )

    data_dir = resolve_dir(args.data_dir, "RECOMMENDER_DATA_DIR", DEFAULT_DATA_DIR)
    bench_dir = resolve_dir(args.bench_dir, "RECOMMENDER_BENCH_DIR", DEFAULT_BENCH_DIR)
    overrides = {k: v for k, v in {"epochs": args.epochs, "seed": args.seed, "dim": args.dim,
                                   "batch_size": args.batch_size, "lr": args.lr}.items() if v is not None}
    for key, value in overrides.items():
        if isinstance(value, (int, float)) and value <= 0:
            raise UserError(f"--{key.replace('_', '-')} must be positive, got {value}")
    if args.english_init is not None:
        overrides["english_init"] = args.english_init
    if args.mix:
        overrides["mix"] = parse_mix(args.mix)
    if args.crossfit_folds < 0 or args.crossfit_folds == 1:
        raise UserError(f"--crossfit-folds {args.crossfit_folds}: use 0 (none) or at least 2")
    if args.crossfit_only:
        if overrides or args.name:
            raise UserError("--crossfit-only trains with the configuration the model at --out records; "
                            "drop the training options (" + ", ".join(f"--{k.replace('_', '-')}" for k in overrides)
                            + (" --name" if args.name else "") + ")")
        if args.crossfit_folds < 2:
            raise UserError("--crossfit-only needs --crossfit-folds K with K ≥ 2")
        config = config_from_run(args.out)
        recorded_command = json.loads((args.out / "training_run.json").read_text(encoding="utf-8")).get("command")
    else:
        config = TrainConfig(**overrides)
    torch.set_num_threads(max(1, args.threads))
    name = args.name or args.out.resolve().name

    print(f"loading public data from {data_dir} and bench knowledge from {bench_dir}", file=sys.stderr)
    knowledge = load_knowledge(data_dir, bench_dir, config.languages)
    task_counts = Counter(ex.task for ex in PairBuilder(knowledge, config.mix).epoch(config.seed, 0, config.languages))
    train_seconds = 0.0
    if not args.crossfit_only:
        shutil.rmtree(args.out / CROSSFIT_DIR, ignore_errors=True)  # members of an earlier model are stale now
        (args.out / TARGETS_FILE).unlink(missing_ok=True)  # and so are the teacher's targets
        encoder = train_static_encoder(knowledge, config, show_progress=True, device=args.device)
        train_seconds = encoder.seconds
        save_model(encoder, args.out, model_name=name, card=f"# {name}\n\n(model card being written)\n")
    crossfit_seconds: list[float] = []
    if args.crossfit_folds:
        crossfit_seconds, encoder = train_crossfit_models(knowledge, config, args.out, args.crossfit_folds,
                                                          device=args.device)
    teacher = None
    if config.mix.teacher_top_k > 0:
        if args.crossfit_folds:
            teacher, encoder = teach_serving_model(args, config, knowledge, data_dir, bench_dir, name, encoder)
        else:
            print("teacher stage skipped: it trains the members again and keeps the self-trained ones for the link "
                  "predictor, so it needs --crossfit-folds K ≥ 2 (--mix teacher_top_k=0 turns it off)",
                  file=sys.stderr)
    metrics: dict = {}
    if not args.no_eval:
        with tempfile.TemporaryDirectory() as tmp:
            for bench, lang in BENCH_LANG.items():
                if lang in config.languages and (bench_dir / bench / "dev" / "queries.csv").is_file():
                    run_path = Path(tmp) / f"{bench}.dev.run.csv"
                    metrics[bench] = evaluate_dense(encoder.encode, data_dir, bench_dir, bench, "dev", run_path)
    if args.crossfit_only:  # the command that trains the same thing from scratch, as the model recorded it
        command = recorded_command or f"recommender train-encoder --crossfit-only --out {args.out}"
    else:
        command = "recommender train-encoder --out " + str(args.out) + "".join(
            f" --{k.replace('_', '-')} {v}" for k, v in overrides.items() if k != "mix") + "".join(
            f" --mix {m}" for m in args.mix) + (
            f" --crossfit-folds {args.crossfit_folds}" if args.crossfit_folds != DEFAULT_CROSSFIT_FOLDS else "")
    from sentence_transformers import SentenceTransformer
    start = time.perf_counter()
    model = SentenceTransformer(str(args.out), device="cpu", local_files_only=True)
    load_seconds = time.perf_counter() - start
    speed = measure_speed(model)
    size_mb = folder_size_mb(args.out)
    card = render_card(model_name=name, encoder=encoder, knowledge=knowledge, task_counts=task_counts, metrics=metrics,
                       speed=speed, size_mb=folder_size_mb(args.out, skip=CROSSFIT_DIR), load_seconds=load_seconds,
                       command=command, crossfit_folds=args.crossfit_folds, members_mb=size_mb, teacher=teacher)
    (args.out / "README.md").write_text(card, encoding="utf-8")
    summary = {"model": str(args.out), "train_seconds": round(train_seconds, 1), "size_mb": size_mb,
               "load_seconds": round(load_seconds, 3), "speed": speed, "command": command,
               "crossfit_folds": args.crossfit_folds, "crossfit_seconds": [round(x, 1) for x in crossfit_seconds],
               "teacher": teacher,
               "dev_dense": {b: {s: m["recall@10"] for s, m in r.items()} for b, r in metrics.items()}}
    run_file = args.out / "training_run.json"
    run_record = json.loads(run_file.read_text(encoding="utf-8"))
    run_record.update({k: summary[k] for k in ("size_mb", "load_seconds", "speed", "command")})
    run_record["metrics"] = metrics
    if args.crossfit_folds:
        members = [f"{CROSSFIT_DIR}/full"] + [f"{CROSSFIT_DIR}/fold-{f}" for f in range(args.crossfit_folds)]
        if teacher:
            run_record["predictor_members"] = members
            run_record["averaged_members"] = (f"the full model and its {args.crossfit_folds} companions trained "
                                              f"again with the teacher's targets ({TARGETS_FILE}; not kept)")
            run_record["teacher"] = teacher
        else:
            run_record["averaged_members"] = members
    run_file.write_text(json.dumps(run_record, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    if args.json:
        print(json.dumps(summary, ensure_ascii=False))
    else:
        what = (f"the average of the full model and its {args.crossfit_folds} cross-fitted companions"
                if args.crossfit_folds else "one model")
        if teacher:
            what += f", trained again with the link predictor's targets for {teacher['occupations']} occupations"
        print(f"saved {args.out} ({summary['size_mb']} MB: {what}) in "
              f"{(train_seconds + sum(crossfit_seconds)) / 60 + (teacher or {}).get('minutes', 0):.1f} min of "
              "training; "
              f"load {load_seconds:.2f} s; {speed['texts_per_second_median']} titles/s")
        for bench, slices in summary["dev_dense"].items():
            print(f"  {bench} dev Recall@10 (dense only): " + ", ".join(f"{s} {v:.3f}" for s, v in slices.items()))
    return 0


def teach_serving_model(args, config, knowledge, data_dir: Path, bench_dir: Path, name: str, members_average):
    """The teacher stage (``recommender.training.open_world``): fit the link predictor with the members just
    trained, train them again with its targets for the open-world titles, and make their average the folder's
    model. Returns the stage's record (``None`` when the benches hold no occupation to teach) and the encoder the
    folder now holds (``members_average``, the one it held, when there is nothing to teach)."""
    from recommender.encoders.crossfit import MODEL_IS_TAUGHT, TRAINED_WITHOUT, write_manifest
    from recommender.training.open_world import TARGETS_FILE, predictor_targets, save_targets
    from recommender.training.static_encoder import replace_model_vectors, train_taught_family

    mix = config.mix
    languages = tuple(lang for lang in mix.teacher_languages if lang in config.languages)
    start = time.perf_counter()
    targets = predictor_targets(args.out, bench_dir, data_dir, mix.teacher_top_k, languages)
    if not targets:
        print("teacher stage skipped: the benches' knowledge files hold no occupation without links in "
              f"{', '.join(languages) or 'the configured languages'}", file=sys.stderr)
        return None, members_average
    encoder, seconds = train_taught_family(knowledge, config, args.crossfit_folds, targets, device=args.device)
    replace_model_vectors(encoder, args.out, model_name=name)
    save_targets(targets, args.out)
    write_manifest(args.out, args.crossfit_folds, TRAINED_WITHOUT, MODEL_IS_TAUGHT)
    record = {"top_k": mix.teacher_top_k, "languages": list(languages), "occupations": len(targets),
              "titles_per_occupation": mix.teacher_titles_per_occupation,
              "members_seconds": [round(x, 1) for x in seconds],
              "minutes": round((time.perf_counter() - start) / 60, 2), "targets_file": TARGETS_FILE}
    return record, encoder
