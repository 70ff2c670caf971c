"""The CSV import part of ``etalase bench crm``: a realistic contact file, imported twice end to end
through ``customers.io`` (upload, start, run), each run timed; the second run must merge every row."""

import csv
import io
import random
import time
import uuid
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection, transaction

from etalase.accounts.services import user_signup
from etalase.customers.io.importer import import_run
from etalase.customers.io.imports import import_start, import_upload
from etalase.customers.models import Contact, ImportJob, Tag
from etalase.directory.models import Business, Category, Membership
from etalase.directory.services import business_register

BENCHMARK_BUSINESS = "Etalase import benchmark"


def import_sample_csv(rows: int, *, seed: int = 6, bad_every: int = 50) -> bytes:
    """A realistic contact CSV (Indonesian headers, ``;`` like Excel in Indonesia, Windows-1252) with
    ``rows`` rows; every ``bad_every``-th row has a malformed phone, and some rows repeat a phone."""
    generator = random.Random(seed)  # noqa: S311 - test data, not secrets
    first = ["Budi", "Sari", "Rina", "Agus", "Dewi", "Andi", "Putri", "Joko", "Wati", "José", "Ayu", "Rizky"]
    last = ["Santoso", "Wijaya", "Lestari", "Pratama", "Hidayat", "Kusuma", "Nugroho", "Saputra", "Halim"]
    cities = ["Yogyakarta", "Jakarta", "Bandung", "Surabaya", "Semarang", "Medan", "Denpasar", "Makassar"]
    tags = ["", "", "VIP", "Reseller", "Langganan", "Grosir, VIP"]
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";")
    writer.writerow(["Nama", "No HP", "Email", "Kota", "Alamat", "Tanggal Lahir", "Tag", "Izin WA"])
    for n in range(rows):
        phone = f"0812{n:08d}" if n % bad_every else f"08-{n}"
        if n and n % 97 == 0:
            phone = f"0812{n - 1:08d}"  # the same person twice in one file
        writer.writerow(
            [
                f"{generator.choice(first)} {generator.choice(last)}",
                phone,
                f"pelanggan{n}@contoh.co.id" if n % 3 else "",
                generator.choice(cities),
                f"Jl. Malioboro No. {n % 300 + 1}",
                f"{generator.randint(1, 28):02d}/{generator.randint(1, 12):02d}/{generator.randint(1960, 2005)}",
                generator.choice(tags),
                generator.choice(["ya", "tidak", ""]),
            ]
        )
    return out.getvalue().encode("cp1252")


def import_benchmark(rows: int, *, business: Business | None = None) -> dict[str, Any]:
    """Import a generated ``rows``-row CSV twice (the second run merges every row) and time both runs.

    Without ``business``, a dedicated benchmark business is used (registered on first use) and its
    customers are cleared before and after. Returns seconds and rows per second of each run, and counts.
    """
    own_business = business is None
    owner = None
    if business is None:
        business, owner = _benchmark_business()
        _benchmark_clear(business)
    data = import_sample_csv(rows)
    result: dict[str, Any] = {"rows": rows, "database": connection.vendor, "megabytes": round(len(data) / 2**20, 1)}
    try:
        for run in ("first", "rerun"):
            started, cpu = time.perf_counter(), time.process_time()
            job = import_upload(business=business, actor=owner, upload=SimpleUploadedFile("bench.csv", data))
            job = import_start(job=job, actor=owner)
            prepared = time.perf_counter()
            job = import_run(job_id=job.pk) or job
            seconds = time.perf_counter() - started
            result[run] = {
                "seconds": round(seconds, 2),
                "cpu_seconds": round(time.process_time() - cpu, 2),
                "upload_seconds": round(prepared - started, 2),
                "rows_per_second": round(rows / seconds) if seconds else None,
                "status": job.status,
                "created": job.created_count,
                "merged": job.merged_count,
                "rejected": job.rejected_count,
            }
    finally:
        if own_business:
            _benchmark_clear(business)
    return result


def _benchmark_business() -> tuple[Any, Any]:
    membership = Membership.objects.select_related("business", "user").filter(business__name=BENCHMARK_BUSINESS).first()
    if membership is not None:
        return membership.business, membership.user
    tag = uuid.uuid4().hex[:8]
    owner = user_signup(email=f"bench-import-{tag}@example.com", password=uuid.uuid4().hex, name="Bench", verified=True)
    category = Category.objects.order_by("position", "pk").first()
    business = business_register(
        owner=owner,
        name=BENCHMARK_BUSINESS,
        category_slug=category.slug if category else "",
        city="Yogyakarta",
        whatsapp="0812-3456-7890",
    )
    return business, owner


def _benchmark_clear(business: Business) -> None:
    """Remove the benchmark business's customers, tags and import jobs (and their files)."""
    with transaction.atomic():
        for job in ImportJob.objects.filter(business=business):
            if job.report:
                job.report.delete(save=False)
            if job.file:
                job.file.delete(save=False)
        ImportJob.objects.filter(business=business).delete()
        Contact.objects.filter(business=business).delete()
        Tag.objects.filter(business=business).delete()
