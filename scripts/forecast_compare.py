#!/usr/bin/env python3
"""statsforecast's side of scripts/forecast-compare.sh, and the side-by-side report.

    forecast_compare.py fit --input SERIES.csv --horizon H --season S --out statsforecast.csv --times times.json
    forecast_compare.py report --dir DIR --horizon H --season S --items N --days D

`fit` holds out the last H points of each series (series with fewer than H+1 points are
skipped, as `forecast eval` does), fits statsforecast's models on the training parts and
writes their forecasts in the format `pharma-sync-server forecast score` reads:
`unique_id,ds,method,mean,q05,q50,q90,q95`, `ds` written back exactly as read.

Quantiles: AutoETS, SeasonalNaive, Naive and HistoricAverage give prediction intervals
natively; they are asked for levels 80 and 90, so lo-90 → q05, hi-80 → q90, hi-90 → q95.
Their intervals come from a normal predictive distribution, whose median is its mean, so
q50 is set to the mean for these four models (documented here and in the report). The
intermittent models (Croston*, ADIDA, IMAPA, TSB) have no native intervals (only
conformal ones, which would refit them on extra windows): their quantile columns are left
empty and `forecast score` prints "—" for the measures that need them.

Timing: statsforecast 2.x compiles nothing at run time (its ETS is C++ in the wheel, no
numba), but the first call still pays for imports and for starting the worker processes,
so every timed run is preceded by a warm-up on a few series, and each timed run uses a
fresh StatsForecast object with n_jobs=-1. Two figures: all ten models (fit + predict),
and AutoETS alone.

`report` reads the JSON written by `forecast score --json` for both forecast files and the
timings, and prints the side-by-side report (also written to DIR/report.md).
"""

import argparse
import json
import os
import platform
import sys
import time

OURS = "auto"


def read_series(path):
    import pandas as pd

    # Everything as text first: ds is written back exactly as read.
    df = pd.read_csv(path, dtype={"unique_id": str, "ds": str}, usecols=["unique_id", "ds", "y"])
    df["y"] = df["y"].astype(float)
    try:
        df["key"] = df["ds"].astype("int64")
        freq = 1
    except ValueError:
        try:
            df["key"] = pd.to_datetime(df["ds"], format="ISO8601", utc=True).dt.tz_localize(None)
        except ValueError:
            # One parse per value: slow on big files, only when ISO 8601 parsing fails.
            df["key"] = pd.to_datetime(df["ds"], format="mixed", utc=True).dt.tz_localize(None)
        freq = None
    df = df.sort_values(["unique_id", "key"], kind="stable").reset_index(drop=True)
    if freq is None:
        first = df[df["unique_id"] == df["unique_id"].iloc[0]]["key"]
        freq = pd.infer_freq(first) if len(first) >= 3 else "D"
    return df, freq


def split(df, h):
    sizes = df.groupby("unique_id", sort=False)["y"].transform("size")
    kept = df[sizes > h].copy()
    skipped = sorted(set(df.loc[sizes <= h, "unique_id"]))
    position = kept.groupby("unique_id", sort=False).cumcount()
    kept_sizes = kept.groupby("unique_id", sort=False)["y"].transform("size")
    is_test = position >= kept_sizes - h
    train = kept[~is_test][["unique_id", "key", "y"]].rename(columns={"key": "ds"})
    test = kept[is_test][["unique_id", "key", "ds"]].rename(columns={"ds": "raw", "key": "ds"})
    return train, test, skipped


def models_with_levels(season):
    from statsforecast.models import AutoETS, HistoricAverage, Naive, SeasonalNaive

    return [AutoETS(season_length=season), SeasonalNaive(season_length=season), Naive(), HistoricAverage()]


def models_without_levels():
    from statsforecast.models import (
        ADIDA,
        IMAPA,
        TSB,
        CrostonClassic,
        CrostonOptimized,
        CrostonSBA,
    )

    return [
        CrostonClassic(),
        CrostonSBA(),
        CrostonOptimized(),
        ADIDA(),
        IMAPA(),
        TSB(alpha_d=0.1, alpha_p=0.1),
    ]


def run(models, train, h, freq, levels):
    from statsforecast import StatsForecast

    sf = StatsForecast(models=models, freq=freq, n_jobs=-1)
    if levels:
        return sf.forecast(df=train, h=h, level=levels)
    return sf.forecast(df=train, h=h)


def fit(args):
    import pandas as pd
    import statsforecast

    load_before = os.getloadavg()
    df, freq = read_series(args.input)
    train, test, skipped = split(df, args.horizon)
    ids = train["unique_id"].drop_duplicates()
    warm = train[train["unique_id"].isin(ids.iloc[:8])]
    h = args.horizon

    # Warm-up: imports, worker processes, first-call costs.
    t = time.perf_counter()
    run(models_with_levels(args.season), warm, h, freq, [80, 90])
    if not args.autoets_only:
        run(models_without_levels(), warm, h, freq, None)
    warmup = time.perf_counter() - t

    level_models = models_with_levels(args.season)[:1] if args.autoets_only else models_with_levels(args.season)
    other_models = [] if args.autoets_only else models_without_levels()
    all_seconds = None
    if not args.autoets_only:
        t = time.perf_counter()
        with_levels = run(level_models, train, h, freq, [80, 90])
        without_levels = run(other_models, train, h, freq, None)
        all_seconds = time.perf_counter() - t

    t = time.perf_counter()
    run(models_with_levels(args.season)[:1], warm, h, freq, [80, 90])
    autoets_warmup = time.perf_counter() - t
    t = time.perf_counter()
    autoets = run(models_with_levels(args.season)[:1], train, h, freq, [80, 90])
    autoets_seconds = time.perf_counter() - t
    if args.autoets_only:
        with_levels, without_levels = autoets, None

    frames = []
    for out, models, has_levels in [(with_levels, level_models, True), (without_levels, other_models, False)]:
        if not models:
            continue
        out = out.reset_index() if "unique_id" not in out.columns else out
        out = out.merge(test, on=["unique_id", "ds"], how="left", validate="one_to_one")
        if out["raw"].isna().any():
            sys.exit("statsforecast a rendu des dates hors de la période retenue")
        for m in models:
            name = m.alias
            frame = pd.DataFrame({"unique_id": out["unique_id"], "ds": out["raw"], "method": name})
            frame["mean"] = out[name]
            if has_levels:
                frame["q05"] = out[f"{name}-lo-90"]
                frame["q50"] = out[name]
                frame["q90"] = out[f"{name}-hi-80"]
                frame["q95"] = out[f"{name}-hi-90"]
            else:
                for q in ["q05", "q50", "q90", "q95"]:
                    frame[q] = None
            frames.append(frame)
    result = pd.concat(frames, ignore_index=True)
    result.to_csv(args.out, index=False, float_format="%.17g")

    times = {
        "series": int(ids.size),
        "skipped": len(skipped),
        "warmup_seconds": warmup,
        "all_models_seconds": all_seconds,
        "autoets_warmup_seconds": autoets_warmup,
        "autoets_seconds": autoets_seconds,
        "n_jobs": -1,
        # Other work on the machine slows statsforecast down: say how busy it was.
        "loadavg_1min_before_after": [load_before[0], os.getloadavg()[0]],
        "cpus": os.cpu_count(),
        "statsforecast": statsforecast.__version__,
        "pandas": pd.__version__,
        "python": platform.python_version(),
    }
    with open(args.times, "w") as f:
        json.dump(times, f, indent=2)
    every = "non mesurés (--autoets-only)" if all_seconds is None else f"{all_seconds:.2f} s"
    print(
        f"statsforecast {statsforecast.__version__} : {ids.size} séries, "
        f"10 modèles {every}, AutoETS seul {autoets_seconds:.2f} s (préchauffage {warmup:.2f} s)"
    )


def fmt(v, digits=3):
    return "—" if v is None else f"{v:.{digits}f}"


def ratio(a, b):
    return "—" if a is None or b is None or b == 0 else f"{a / b:.3f}"


def report(args):
    d = args.dir
    load = lambda name: json.load(open(os.path.join(d, name)))
    ours = load("ours-score.json")
    sf = load("statsforecast-score.json")
    ours_eval = load("ours-eval.json")
    ours_auto = load("ours-auto.json")
    times = load("statsforecast-times.json")
    wall = load("wall.json")

    lines = []
    say = lines.append
    say("# Prévision : ce moteur face à statsforecast")
    say("")
    say(
        f"Données : `forecast_dataset` {args.items} articles × {args.days} jours (graine {args.seed}), "
        f"horizon retenu {args.horizon} jours, saison {args.season}. Mesures de `forecast score` "
        "(une seule implémentation pour les deux fichiers) ; MASE et RMSSE mis à l'échelle par "
        f"le naïf saisonnier de retard {args.season} sur la partie d'apprentissage ; moyenne non pondérée sur les séries."
    )
    say(
        f"Machine : {times['cpus']} cœurs ; statsforecast {times['statsforecast']}, pandas {times['pandas']}, "
        f"Python {times['python']}, n_jobs=-1."
    )
    say("")
    sf_tables = {t["class"]: t for t in sf["tables"]}
    for metric in ["mase", "rmsse"]:
        say(f"## {metric.upper()} (plus bas = meilleur)")
        say("")
        head = ["classe", "séries", "auto (nous)", "meilleur statsforecast", "ratio nous / meilleur"]
        methods = [r["method"] for r in sf["tables"][0]["rows"]]
        say("| " + " | ".join(head + methods) + " |")
        say("|" + "---|" * (len(head) + len(methods)))
        for t in ours["tables"]:
            other = sf_tables.get(t["class"])
            if t["series"] == 0 or other is None:
                continue
            mine = next((r[metric] for r in t["rows"] if r["method"] == OURS), None)
            theirs = [(r[metric], r["method"]) for r in other["rows"] if r[metric] is not None]
            best = min(theirs) if theirs else (None, "—")
            verdict = "" if mine is None or best[0] is None else (" ✅" if mine <= best[0] else " ❌")
            cells = [t["class"], str(t["series"]), fmt(mine), f"{fmt(best[0])} ({best[1]})", ratio(mine, best[0]) + verdict]
            cells += [fmt(r[metric]) for r in other["rows"]]
            say("| " + " | ".join(cells) + " |")
        say("")
    say("## Autres mesures (toutes classes)")
    say("")
    say("| méthode | MASE | RMSSE | pinball 0.5 | pinball 0.9 | pinball 0.95 | couverture 90 % |")
    say("|---|---|---|---|---|---|---|")
    for source in [ours, sf]:
        for r in source["tables"][0]["rows"]:
            cov = "—" if r["coverage_90"] is None else f"{100 * r['coverage_90']:.1f} %"
            say(
                f"| {r['method']} | {fmt(r['mase'])} | {fmt(r['rmsse'])} | {fmt(r['pinball_50'])} | "
                f"{fmt(r['pinball_90'])} | {fmt(r['pinball_95'])} | {cov} |"
            )
    say("")
    say(
        "Quantiles de statsforecast : AutoETS, SeasonalNaive, Naive et HistoricAverage donnent des "
        "intervalles (niveaux 80 et 90 : lo-90 → q05, hi-80 → q90, hi-90 → q95) ; leur loi prédictive "
        "est normale, q50 = la moyenne. Les méthodes intermittentes n'ont pas d'intervalle natif : « — »."
    )
    say("")
    say("## Temps réel")
    say("")
    n_ours = len(ours_eval["tables"][0]["rows"]) - 1
    n_sf = len(sf["tables"][0]["rows"])
    ours_all = ours_eval["fit"]["wall_seconds"]
    ours_sel = ours_auto["fit"]["wall_seconds"]
    sf_all = times["all_models_seconds"]
    sf_ets = times["autoets_seconds"]
    say("| mesure | secondes |")
    say("|---|---|")
    say(f"| nous, sélection par article (`auto`) seule, ajustement + prévision | {ours_sel:.3f} |")
    say(f"| nous, les {n_ours} méthodes forcées + `auto`, ajustement + prévision | {ours_all:.3f} |")
    say(f"| nous, commande `forecast eval --out` entière (lecture CSV, calcul, écriture, mesures) | {wall['ours_eval_seconds']:.3f} |")
    say(f"| statsforecast, AutoETS seul (fit + predict, objet neuf, après préchauffage) | {sf_ets:.3f} |")
    if sf_all is not None:
        say(f"| statsforecast, les {n_sf} modèles (fit + predict, après préchauffage) | {sf_all:.3f} |")
    say(f"| statsforecast, préchauffage (8 séries, hors mesures) | {times['warmup_seconds']:.3f} |")
    say("")
    say(
        "statsforecast 2.x ne compile plus rien avec numba au premier appel (son ETS est du C++ livré "
        "dans la roue) ; le préchauffage sur 8 séries, exclu des mesures, couvre les imports et le "
        "démarrage des processus (n_jobs=-1). Chaque mesure utilise un objet StatsForecast neuf."
    )
    if "loadavg_1min_before_after" in times:
        before, after = times["loadavg_1min_before_after"]
        say(
            f"Charge de la machine (moyenne sur 1 min) avant / après statsforecast : {before:.2f} / {after:.2f} "
            "(d'autres travaux ralentissent les deux moteurs)."
        )
    say("")
    say(f"- AutoETS / notre `auto` : **{sf_ets / ours_sel:.1f}×** plus lent" if ours_sel > 0 else "- —")
    if sf_all is not None and ours_all > 0 and ours_sel > 0:
        say(f"- statsforecast ({n_sf} modèles) / nos {n_ours} méthodes + `auto` : **{sf_all / ours_all:.1f}×**")
        say(f"- statsforecast ({n_sf} modèles) / notre `auto` : **{sf_all / ours_sel:.1f}×**")
    say("")
    say(
        f"Notre `auto` choisit par article entre {n_ours} méthodes par validation glissante (chaque article "
        "ajuste toutes les méthodes plusieurs fois) ; il est comparé au seul AutoETS, qui choisit lui "
        "aussi un modèle par article (parmi les ETS)."
    )
    text = "\n".join(lines) + "\n"
    with open(os.path.join(d, "report.md"), "w") as f:
        f.write(text)
    print(text)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    f = sub.add_parser("fit")
    f.add_argument("--input", required=True)
    f.add_argument("--horizon", type=int, required=True)
    f.add_argument("--season", type=int, required=True)
    f.add_argument("--out", required=True)
    f.add_argument("--times", required=True)
    f.add_argument("--autoets-only", action="store_true", help="fit and time AutoETS alone")
    r = sub.add_parser("report")
    r.add_argument("--dir", required=True)
    r.add_argument("--horizon", type=int, required=True)
    r.add_argument("--season", type=int, required=True)
    r.add_argument("--items", type=int, required=True)
    r.add_argument("--days", type=int, required=True)
    r.add_argument("--seed", type=int, required=True)
    args = parser.parse_args()
    if args.command == "fit":
        fit(args)
    else:
        report(args)


if __name__ == "__main__":
    main()
