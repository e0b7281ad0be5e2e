"""The plan's outreach task: “Banner and launch photos by 16/04” from Cần Đước
to its chapters, with chapters that sent on time, late, one returned with a
comment and some that never sent. Pictures are drawn with Pillow."""

import io
import random
from datetime import datetime, timedelta

from allauth.account.models import EmailAddress
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image, ImageDraw

from accounts.models import User
from campaigns.models import Campaign
from demo import data
from demo.campaigns import local
from orgs.models import Role, Unit, UnitRole
from outreach import services
from outreach.models import OutreachTask

TASK_TITLE = "Băng rôn và ảnh lễ phát động trước 16/04"
INSTRUCTIONS = (
    "Mỗi chi hội treo băng rôn “Triệu bước chân nhân ái 2024” tại trụ sở và gửi:\n"
    "- 1 ảnh băng rôn đã treo (thấy rõ chữ);\n"
    "- 1 ảnh lễ phát động hoặc buổi đi bộ đầu tiên của chi hội."
)
RETURN_COMMENT = (
    "Ảnh băng rôn bị ngược sáng, chưa đọc được chữ. Nhờ chi hội chụp lại vào ban ngày, "
    "đứng chính diện."
)
UNIT_STAFF_EMAIL = "longtrach@kindsteps.demo"

# unit code → (days before the deadline it was sent (negative: after), outcome)
SENT = {
    "LA-CD-TT": (6, "approved"),
    "LA-CD-LKH": (4, "approved"),
    "LA-CD-LDI": (3, "approved"),
    "LA-CD-THPT-CD": (5, "approved"),
    "LA-CD-YT": (2, "approved"),
    "LA-CD-LCA": (1, "waiting"),
    "LA-CD-LSO": (1, "waiting"),
    "LA-CD-THPT-RK": (2, "waiting"),
    "LA-CD-MLE": (-2, "waiting"),
    "LA-CD-PVA": (-1, "approved"),
    "LA-CD-LTR": (3, "returned"),
}
COLOURS = [(200, 16, 46), (20, 110, 180), (30, 140, 80), (230, 150, 20), (120, 60, 160)]


def _picture(name: str, size: tuple[int, int], colour, text: str) -> SimpleUploadedFile:
    picture = Image.new("RGB", size, colour)
    draw = ImageDraw.Draw(picture)
    for step in range(0, size[1], 24):  # a little texture, like a photo's
        shade = tuple(min(255, c + step // 8) for c in colour)
        draw.rectangle((0, step, size[0], step + 12), fill=shade)
    draw.rectangle((20, size[1] // 3, size[0] - 20, 2 * size[1] // 3), fill=(255, 255, 255))
    draw.text((40, size[1] // 2 - 6), text, fill=(200, 16, 46))
    out = io.BytesIO()
    picture.save(out, "PNG")
    return SimpleUploadedFile(name, out.getvalue(), content_type="image/png")


def _unit_staff(unit: Unit) -> User:
    user = User.objects.filter(email=UNIT_STAFF_EMAIL).first()
    if user is None:
        user = User.objects.create_user(
            UNIT_STAFF_EMAIL,
            data.DEMO_PASSWORD,
            full_name="Phạm Thị Thu",
            home_unit=unit,
            province="Long An",
            district="Cần Đước",
        )
    EmailAddress.objects.update_or_create(
        user=user, email=UNIT_STAFF_EMAIL, defaults={"verified": True, "primary": True}
    )
    UnitRole.objects.get_or_create(user=user, unit=unit, defaults={"role": Role.STAFF})
    return user


def seed_outreach(plan: Campaign, organiser: User) -> OutreachTask:
    district = plan.organiser_unit
    commune_staff = _unit_staff(Unit.objects.get(code="LA-CD-LTR"))
    task = OutreachTask.objects.filter(campaign=plan, title=TASK_TITLE).first()
    if task is not None:
        return task
    deadline = local(2024, 4, 17, 0)  # 24:00 16/04/2024
    task = services.create_task(
        plan,
        from_unit=district,
        title=TASK_TITLE,
        instructions=INSTRUCTIONS,
        deadline=deadline,
        wants_images=2,
        reminder_days_before=2,
        actor=organiser,
        now=local(2024, 4, 1, 9),
    )
    rng = random.Random(16)
    for code, (days_before, outcome) in SENT.items():
        unit = Unit.objects.get(code=code)
        sender = commune_staff if code == "LA-CD-LTR" else organiser
        sent_at: datetime = deadline - timedelta(days=days_before, hours=rng.randint(2, 20))
        colour = rng.choice(COLOURS)
        submission = services.submit(
            task,
            unit,
            images=[
                _picture(
                    "bang-ron.png", (1200, 400), colour, f"TRIEU BUOC CHAN NHAN AI 2024 - {code}"
                ),
                _picture(
                    "phat-dong.png", (960, 720), rng.choice(COLOURS), f"Le phat dong - {code}"
                ),
            ],
            files=[],
            actor=sender,
            now=sent_at,
        )
        if outcome == "approved":
            services.review(
                submission, approve=True, actor=organiser, now=sent_at + timedelta(hours=5)
            )
        elif outcome == "returned":
            services.review(
                submission,
                approve=False,
                comment=RETURN_COMMENT,
                actor=organiser,
                now=sent_at + timedelta(hours=5),
            )
    return task
