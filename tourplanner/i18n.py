"""Two languages, Vietnamese (default) and English: the page texts and the choice of language.

The language comes from ``?lang=``, then the ``lang`` cookie, then the browser's
Accept-Language; templates call ``_("key")``. Catalogue names come in both languages from the
data itself (``name_vi``/``name_en``).
"""

from __future__ import annotations

from flask import g
from flask import request
from werkzeug.exceptions import RequestEntityTooLarge

LANGUAGES = ("vi", "en")

TEXTS: dict[str, tuple[str, str]] = {
    "app.tagline": (
        "Lịch trình liên tỉnh Hà Nội · Hải Phòng · Quảng Ninh · Bắc Ninh",
        "Multi-province tours of Hà Nội · Hải Phòng · Quảng Ninh · Bắc Ninh",
    ),
    "nav.plan": ("Lập lịch trình", "Plan a trip"),
    "nav.catalogue": ("Danh mục điểm đến", "Catalogue"),
    "form.title": ("Lập lịch trình của bạn", "Plan your trip"),
    "form.start": ("Điểm xuất phát", "Start from"),
    "form.start.hint": (
        "Thành phố, sân bay, bến tàu… (gõ không dấu cũng được)",
        "City, airport, pier… (diacritics optional)",
    ),
    "form.end": (
        "Điểm kết thúc (để trống: quay về điểm xuất phát)",
        "End at (empty: back to the start)",
    ),
    "form.start_date": ("Ngày đi", "Start date"),
    "form.days": ("Số ngày", "Days"),
    "form.day_start": ("Bắt đầu mỗi ngày", "Days start at"),
    "form.day_end": ("Kết thúc mỗi ngày", "Days end at"),
    "form.pace": ("Nhịp độ", "Pace"),
    "pace.relaxed": ("Thong thả", "Relaxed"),
    "pace.normal": ("Vừa phải", "Normal"),
    "pace.packed": ("Dày đặc", "Packed"),
    "form.interests": ("Sở thích", "Interests"),
    "form.budget": ("Ngân sách mỗi người (₫)", "Budget per person (₫)"),
    "form.group_size": ("Số người", "People"),
    "form.must": ("Điểm nhất định phải đến", "Must-see places"),
    "form.must.hint": (
        "Gõ tên rồi chọn; có thể chọn nhiều",
        "Type a name and pick; several allowed",
    ),
    "form.provinces": ("Tỉnh/thành phải đi qua", "Provinces to include"),
    "form.language": ("Ngôn ngữ", "Language"),
    "form.submit": ("Lập lịch trình", "Plan my trip"),
    "form.errors": ("Vui lòng sửa các ô được đánh dấu.", "Please correct the marked fields."),
    "form.add": ("Thêm", "Add"),
    "form.remove": ("Bỏ", "Remove"),
    "job.title": ("Đang lập lịch trình…", "Planning your trip…"),
    "job.wait": (
        "Bộ giải đang tìm lịch trình tốt nhất; trang sẽ tự chuyển khi xong.",
        "The solver is searching for the best tour; this page moves on when done.",
    ),
    "job.failed": ("Không lập được lịch trình", "No tour could be planned"),
    "job.relax": (
        "Thử nới điều kiện: thêm ngày, bớt điểm bắt buộc, tăng ngân sách.",
        "Try relaxing: add a day, drop a must-see, raise the budget.",
    ),
    "job.back": ("Quay lại biểu mẫu", "Back to the form"),
    "it.title": ("Lịch trình", "Itinerary"),
    "it.day": ("Ngày", "Day"),
    "it.overnight": ("Nghỉ đêm", "Overnight"),
    "it.start": ("Xuất phát", "Start"),
    "it.end": ("Kết thúc", "End"),
    "it.lunch": ("Ăn trưa", "Lunch"),
    "it.map": ("Bản đồ tuyến", "Route map"),
    "it.totals": ("Tổng cộng", "Totals"),
    "it.value": ("Điểm giá trị", "Value"),
    "it.km": ("Quãng đường", "Distance"),
    "it.travel": ("Thời gian di chuyển", "Travel time"),
    "it.cost_pp": ("Chi phí mỗi người", "Cost per person"),
    "it.tickets": ("Vé tham quan", "Tickets"),
    "it.transport": ("Xe và phà/tàu", "Vehicle and crossings"),
    "it.lodging": ("Lưu trú", "Lodging"),
    "it.provinces": ("Tỉnh/thành đi qua", "Provinces covered"),
    "it.dropped": ("Không xếp được", "Could not be fitted"),
    "it.warnings": ("Lưu ý", "Notes"),
    "it.share": ("Đường dẫn chia sẻ", "Share link"),
    "it.exports": ("Tải về", "Download"),
    "it.print": ("Bản in", "Printable"),
    "it.replan": ("Sửa và lập lại", "Edit and re-plan"),
    "it.remove_stop": ("Bỏ điểm này", "Remove this stop"),
    "it.pin": ("Giữ ở ngày", "Pin to day"),
    "it.add_must": ("Thêm điểm bắt buộc", "Add a must-see"),
    "it.replan.submit": ("Lập lại lịch trình", "Re-plan"),
    "it.parent": ("Phiên bản trước", "Previous version"),
    "it.wait": ("chờ", "wait"),
    "map.show": ("Xem trên bản đồ", "Show on map"),
    "map.all": ("Cả hành trình", "Whole trip"),
    "map.open": ("Mở bằng", "Open in"),
    "map.phone": ("Ứng dụng bản đồ", "Maps app"),
    "map.route": ("Chỉ đường", "Directions"),
    "map.area": ("Khu vực trong ngày", "The day's area"),
    "err.404": ("Không tìm thấy", "Not found"),
    "cat.heritage": ("Di sản, di tích", "Heritage"),
    "cat.nature": ("Thiên nhiên", "Nature"),
    "cat.beach": ("Biển", "Beaches"),
    "cat.spiritual": ("Tâm linh", "Spiritual"),
    "cat.festival": ("Lễ hội", "Festivals"),
    "cat.cuisine": ("Ẩm thực", "Cuisine"),
    "cat.museum": ("Bảo tàng", "Museums"),
    "cat.village": ("Làng nghề, làng cổ", "Villages"),
    "cat.adventure": ("Khám phá, mạo hiểm", "Adventure"),
    "cat.island": ("Đảo", "Islands"),
    "cat.cave": ("Hang động", "Caves"),
    "cat.bay": ("Vịnh", "Bays"),
    "cat.landmark": ("Công trình nổi tiếng", "Landmarks"),
    "cat.shopping": ("Mua sắm, chợ", "Shopping"),
    "cat.family": ("Gia đình", "Families"),
    "mode.road": ("đường bộ", "road"),
    "mode.expressway": ("cao tốc", "expressway"),
    "mode.ferry": ("phà", "ferry"),
    "mode.boat": ("tàu thủy", "boat"),
    "mode.cable_car": ("cáp treo", "cable car"),
    "mode.walk": ("đi bộ", "walk"),
    "mode.rail": ("tàu hỏa", "rail"),
    "mode.air": ("máy bay", "air"),
    "mode.coach": ("xe khách", "coach"),
    "mode.taxi": ("taxi", "taxi"),
    "mode.bridge": ("cầu", "bridge"),
    "service.hired_vehicle": ("xe riêng có tài xế", "hired vehicle with driver"),
    "it.vehicle": ("Xe thuê", "Hired vehicle"),
    "it.day_minimum": ("tối thiểu mỗi ngày", "minimum a day"),
    "service.taxi": ("taxi", "taxi"),
    "service.limousine": ("xe limousine", "limousine"),
    "service.coach": ("xe khách", "coach"),
    "service.bus": ("xe buýt", "bus"),
    "service.combo": ("vé xe + tàu", "bus-and-boat combo"),
    "service.motorbike_taxi": ("xe ôm", "motorbike taxi (xe ôm)"),
    "service.ferry": ("phà", "ferry"),
    "service.boat": ("tàu", "boat"),
    "service.cable_car": ("cáp treo", "cable car"),
    "service.walk": ("đi bộ", "walk"),
    "it.fare_pp": ("mỗi người", "per person"),
    "it.fare_unknown": ("chưa rõ giá vé", "fare unknown"),
    "it.ticket_unknown": ("chưa rõ giá vé", "ticket price unknown"),
    "it.meals": ("Ăn uống", "Meals"),
    "it.per_person": ("mỗi người", "per person"),
    "it.cost_group": ("Cả đoàn", "Whole group"),
    "it.unknown_prices": (
        "Một số giá chưa rõ nên chưa tính vào tổng (xem lưu ý).",
        "Some prices are unknown and not counted in the totals (see the notes).",
    ),
    "it.includes": ("Gồm", "Includes"),
    "lodging.hotel": ("Khách sạn", "Hotel"),
    "lodging.cruise": ("Ngủ trên du thuyền", "Overnight cruise"),
    "lodging.room": ("phòng", "room"),
    "lodging.person": ("người", "person"),
    "tier.budget": ("bình dân", "budget"),
    "tier.standard": ("tiêu chuẩn (3★)", "standard (3★)"),
    "tier.comfort": ("cao cấp (4★)", "comfort (4★)"),
    "tier.luxury": ("sang trọng (5★)", "luxury (5★)"),
    "tier.typical": ("giá phổ biến (hạng chưa rõ)", "typical price (class not known)"),
    "form.lodging": ("Hạng lưu trú", "Lodging"),
    "form.transport": ("Phương tiện", "Transport"),
    "transport.auto": (
        "Tự chọn theo số người (xe khách, phà, taxi cho 1–4 người; xe riêng cho đoàn)",
        "By group size (coaches, ferries, taxis for 1–4; a hired vehicle for groups)",
    ),
    "transport.public": ("Phương tiện công cộng và taxi", "Public services and taxis"),
    "transport.private": ("Xe riêng có tài xế", "A hired vehicle with driver"),
    "meal.breakfast": ("bữa sáng", "breakfast"),
    "meal.brunch": ("bữa sáng muộn", "brunch"),
    "meal.lunch": ("bữa trưa", "lunch"),
    "meal.dinner": ("bữa tối", "dinner"),
    "weekday.mon": ("Thứ Hai", "Monday"),
    "weekday.tue": ("Thứ Ba", "Tuesday"),
    "weekday.wed": ("Thứ Tư", "Wednesday"),
    "weekday.thu": ("Thứ Năm", "Thursday"),
    "weekday.fri": ("Thứ Sáu", "Friday"),
    "weekday.sat": ("Thứ Bảy", "Saturday"),
    "weekday.sun": ("Chủ Nhật", "Sunday"),
    "weekday.all": ("hằng ngày", "every day"),
    "svc.every": (
        "{first}–{last}, {minutes} phút một chuyến",
        "{first}–{last}, every {minutes} min",
    ),
    "place.services": ("Phương tiện đến nơi này", "Services that reach it"),
    "place.sources": ("Nguồn", "Sources"),
    "place.unverified": ("chưa kiểm chứng", "unverified"),
    "place.unverified_k": (
        "hiểu biết của người biên soạn, chưa có nguồn",
        "the compiler's knowledge, no source yet",
    ),
    "place.fare": ("Giá vé", "Fare"),
    "place.fare_unknown": ("giá chưa rõ", "fare unknown"),
    "place.hours": ("Giờ mở cửa", "Opening hours"),
    "place.all_day": ("cả ngày", "all day"),
    "place.categories": ("Loại hình", "Categories"),
    "place.visit": ("Thời gian tham quan", "Visit"),
    "place.access": ("Tiếp cận", "Access"),
    "access.boat": ("đi tàu", "by boat"),
    "access.cable_car": ("đi cáp treo", "by cable car"),
    "access.hike": ("leo bộ", "a hike"),
    "access.ferry": ("đi phà", "by ferry"),
    "access.permit": ("cần giấy phép", "a permit"),
    "err.back": ("Về trang chủ", "Home"),
    # the tour programme (tourplanner/exports/programme.py): {placeholders} are filled there
    "prog.title": ("Chương trình tour", "Tour programme"),
    "prog.days_nights": ("{days} ngày {nights} đêm", "{days} days {nights} nights"),
    "prog.days_night": ("{days} ngày {nights} đêm", "{days} days {nights} night"),
    "prog.day_only": ("{days} ngày", "{days} days"),
    "prog.code": ("Mã tour", "Tour code"),
    "prog.departures": ("Khởi hành", "Departures"),
    "prog.transport": ("Phương tiện", "Transport"),
    "prog.lodging": ("Lưu trú", "Lodging"),
    "prog.day": ("Ngày {n}", "Day {n}"),
    "prog.meals": ("Bữa ăn", "Meals"),
    "prog.meals_none": ("tự túc", "on your own"),
    "prog.breakfast": ("sáng", "breakfast"),
    "prog.lunch": ("trưa", "lunch"),
    "prog.dinner": ("tối", "dinner"),
    "prog.night": ("Nghỉ đêm", "Night"),
    "prog.night_none": ("về nhà", "home"),
    "prog.pickup": (
        "Đón quý khách tại {place}, khởi hành.",
        "Pick-up at {place} and departure.",
    ),
    "prog.travel": (
        "Di chuyển đến {place} bằng {services} (khoảng {duration}).",
        "Travel to {place} by {services} (about {duration}).",
    ),
    "prog.visit": ("Tham quan {place}.", "Visit {place}."),
    "prog.visit_includes": ("Hành trình gồm: {places}.", "On the way: {places}."),
    "prog.lunch_at": ("Ăn trưa {where}.", "Lunch {where}."),
    "prog.checkin_hotel": (
        "Nhận phòng khách sạn {tier} tại {place}{example}. Ăn tối, nghỉ đêm tại {place}.",
        "Check in to a {tier} hotel in {place}{example}. Dinner and night in {place}.",
    ),
    "prog.checkin_cruise": (
        "Lên du thuyền tại {place}{example}: ăn tối và nghỉ đêm trên vịnh.",
        "Board the cruise at {place}{example}: dinner and night on the bay.",
    ),
    "prog.end": (
        "Về đến {place}. Kết thúc chương trình, chia tay quý khách.",
        "Arrival in {place}. End of the programme.",
    ),
    "prog.includes": ("Giá bao gồm", "The price includes"),
    "prog.excludes": ("Giá không bao gồm", "The price does not include"),
    "prog.inc.vehicle": (
        "Xe riêng có tài xế theo số khách ({vehicle}), phí cầu đường, bến bãi",
        "A private vehicle with driver sized to the group ({vehicle}), tolls and parking",
    ),
    "prog.inc.public": (
        "Vé xe khách, xe limousine và taxi theo chương trình",
        "Coach, limousine and taxi fares of the programme",
    ),
    "prog.inc.water": (
        "Vé {what} theo chương trình",
        "{what} tickets of the programme",
    ),
    "prog.inc.tickets": (
        "Vé vào cửa các điểm tham quan theo chương trình",
        "Entrance fees of the visits in the programme",
    ),
    "prog.inc.meals": (
        "Các bữa ăn theo chương trình: {count} (thực đơn {tier})",
        "The meals of the programme: {count} ({tier} menus)",
    ),
    "prog.inc.lodging": (
        "{nights} đêm lưu trú {tier}, 2 khách/phòng",
        "{nights} nights {tier}, two guests per room",
    ),
    "prog.inc.guide": (
        "Hướng dẫn viên tiếng Việt suốt tuyến",
        "A guide for the whole programme",
    ),
    "prog.inc.vat": ("Thuế VAT {pct}%", "VAT at {pct}%"),
    "prog.exc.vat": ("Thuế VAT", "VAT"),
    "prog.exc.drinks": ("Đồ uống trong các bữa ăn", "Drinks with meals"),
    "prog.exc.tips": (
        "Tiền bồi dưỡng (tip) cho hướng dẫn viên và lái xe",
        "Tips for the guide and driver",
    ),
    "prog.exc.personal": ("Chi phí cá nhân ngoài chương trình", "Personal expenses"),
    "prog.exc.single": (
        "Phụ thu phòng đơn: {amount}/khách",
        "Single-room supplement: {amount} per guest",
    ),
    "prog.exc.single_unknown": (
        "Phụ thu phòng đơn (báo giá khi đặt)",
        "Single-room supplement (quoted on booking)",
    ),
    "prog.exc.insurance": (
        "Bảo hiểm du lịch và nước uống trên xe (chưa tính vào giá)",
        "Travel insurance and drinking water on the way (not in the price)",
    ),
    "prog.exc.guide": ("Hướng dẫn viên (chưa có giá)", "A guide (not priced)"),
    "prog.exc.unknown": (
        "Các khoản chưa rõ giá, chưa tính vào giá: {items}",
        "Items whose price is unknown and not in the price: {items}",
    ),
    "prog.prices": ("Giá tour theo số khách", "Price per person by group size"),
    "prog.group_size": ("Số khách", "Group size"),
    "prog.per_person": ("Giá/khách", "Per person"),
    "prog.child": ("Trẻ em 5–10 tuổi", "Child 5–10"),
    "prog.vehicle": ("Phương tiện", "Vehicle"),
    "prog.public": ("xe khách, taxi, phà", "coaches, taxis, ferries"),
    "prog.guests": ("{n} khách", "{n} guests"),
    "prog.children": ("Chính sách trẻ em", "Children"),
    "prog.child.free": (
        "Trẻ em dưới {age} tuổi: miễn phí, ngủ chung giường với bố mẹ, chi phí phát sinh bố mẹ tự trả.",
        "Under {age}: free, sharing the parents' bed; any extra is paid by the parents.",
    ),
    "prog.child.price": (
        "Trẻ em từ {free} đến dưới {age} tuổi: {amount}/trẻ (ghế ngồi, vé và suất ăn riêng, ngủ chung với bố mẹ).",
        "Children from {free} to under {age}: {amount} each (own seat, tickets and meals, sharing the parents' room).",
    ),
    "prog.child.adult": (
        "Từ {age} tuổi trở lên: tính như người lớn.",
        "From {age}: the adult price.",
    ),
    "prog.notes": ("Lưu ý", "Practical notes"),
    "prog.note.order": (
        "Thứ tự tham quan có thể thay đổi theo thời tiết và giờ tàu, phà nhưng vẫn đủ các điểm.",
        "The order of the visits may change with the weather and the sailings; every visit is kept.",
    ),
    "prog.note.id": (
        "Mang theo căn cước hoặc hộ chiếu: cần khi nhận phòng và lên tàu.",
        "Bring an ID card or passport: needed to check in and to board boats.",
    ),
    "prog.note.holidays": (
        "Giá có thể thay đổi vào dịp lễ, Tết và cuối tuần cao điểm.",
        "Prices may change on public holidays, at Tết and on peak weekends.",
    ),
    "prog.note.vehicle_size": (
        "Nhóm đến {n} khách đi phương tiện công cộng và taxi; đoàn lớn hơn đi xe riêng theo số khách.",
        "Groups of up to {n} travel on public services and taxis; larger ones in a vehicle sized to the group.",
    ),
    "prog.map": ("Bản đồ hành trình", "Route map"),
    "prog.contact": ("Liên hệ", "Contact"),
    "prog.unknown_price": ("chưa rõ giá", "price unknown"),
    "prog.pdf": ("Tải PDF", "Download PDF"),
}


def text(key: str, language: str) -> str:
    """The text *key* in *language* (outside a request: the CLI, exports); the key if
    unknown."""
    texts = TEXTS.get(key)
    if texts is None:
        return key
    return texts[LANGUAGES.index(language) if language in LANGUAGES else 0]


def _form_language() -> str | None:
    """The ``language`` field of a posted form; None when the body is over the size limit
    (the 413 page asks for the language too and must not read that body again)."""
    try:
        return request.form.get("language")
    except RequestEntityTooLarge:
        return None


def get_locale() -> str:
    """Return the language of the current request ("vi" or "en")."""
    if "lang" in g:
        return g.lang
    lang = request.args.get("lang") or _form_language() or request.cookies.get("lang")
    if lang not in LANGUAGES:
        lang = request.accept_languages.best_match(LANGUAGES) or "vi"
    g.lang = lang
    return lang


def translate(key: str) -> str:
    """Return the text *key* in the request's language (the key itself if unknown)."""
    texts = TEXTS.get(key)
    if texts is None:
        return key
    return texts[LANGUAGES.index(get_locale())]


WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


def weekdays_text(days, lang: str) -> str:
    """Weekday codes in words, runs joined: ``Monday–Friday, Sunday``; all seven: every day."""
    chosen = [d for d in WEEKDAYS if d in set(days)]
    if len(chosen) == 7:
        return text("weekday.all", lang)
    runs: list[list[str]] = []
    for d in chosen:
        if runs and WEEKDAYS.index(d) == WEEKDAYS.index(runs[-1][-1]) + 1:
            runs[-1].append(d)
        else:
            runs.append([d])
    parts = []
    for run in runs:
        first = text(f"weekday.{run[0]}", lang)
        if len(run) == 1:
            parts.append(first)
        elif len(run) == 2:
            parts.append(f"{first}, {text(f'weekday.{run[1]}', lang)}")
        else:
            parts.append(f"{first}–{text(f'weekday.{run[-1]}', lang)}")
    return ", ".join(parts)


def init_app(app) -> None:
    """Expose ``_`` and ``lang`` to templates and remember an explicit ?lang= in a cookie."""
    app.jinja_env.globals["_"] = translate
    app.jinja_env.globals["get_locale"] = get_locale
    app.jinja_env.globals["weekdays"] = lambda days: weekdays_text(days, get_locale())

    @app.after_request
    def remember_language(response):
        chosen = request.args.get("lang")
        if chosen in LANGUAGES:
            response.set_cookie(
                "lang", chosen, max_age=365 * 24 * 3600, samesite="Lax", httponly=True
            )
        return response
