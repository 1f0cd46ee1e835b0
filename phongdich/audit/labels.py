"""How read events are named on a person's page: what the reader was looking at."""

from django.apps import apps
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _

# Actions named by the views that record reads; an action missing here shows its code.
READ_ACTIONS = {
    "read": _("Mở hồ sơ"),
    "people.search": _("Kết quả tra cứu người dân"),
    "people.api_search": _("Tra cứu người dân qua API"),
    "people.api_read": _("Hồ sơ người dân qua API"),
    "people.register_candidates": _("Hồ sơ có thể trùng khi thêm người"),
    "cases.queue": _("Danh sách theo dõi F0"),
    "cases.transfer_form": _("Chuyển nơi điều trị"),
    "cases.death_form": _("Ghi nhận tử vong"),
    "cases.certificate": _("Giấy xác nhận khỏi bệnh (PDF)"),
    "cases.photo": _("Ảnh kết quả tự xét nghiệm"),
    "cases.api_summary": _("Tóm tắt ca bệnh qua API"),
    "hotline.queue": _("Danh sách phiếu 1022"),
    "hotline.api_tickets": _("Danh sách phiếu 1022 qua API"),
    "hotline.caller_lookup": _("Tra cứu số người gọi 1022"),
    "hotline.ticket_read": _("Mở phiếu 1022"),
    "hotline.relief_list": _("Danh sách yêu cầu hỗ trợ"),
    "hotline.relief_read": _("Mở yêu cầu hỗ trợ"),
    "hotline.support_list": _("Danh sách chi hỗ trợ"),
    "checkpoints.lookup": _("Tra tờ khai tại chốt"),
    "checkpoints.arrivals": _("Danh sách người về địa phương"),
    "checkpoints.quarantines": _("Danh sách cách ly tại nhà"),
    "checkpoints.quarantine_read": _("Mở hồ sơ cách ly tại nhà"),
    "checkpoints.quarantine_pdf": _("Giấy tờ cách ly (PDF)"),
    "quarantine.list": _("Danh sách người đang cách ly"),
    "quarantine.open_candidates": _("Hồ sơ có thể trùng khi mở hồ sơ cách ly"),
    "quarantine.test_orders": _("Lệnh xét nghiệm của người cách ly"),
    "quarantine.certificate": _("Giấy xác nhận hoàn thành cách ly (PDF)"),
    "quarantine.document": _("Giấy tờ cách ly (PDF)"),
    "checkpoints.follow_ups": _("Danh sách cần theo dõi"),
    "checkpoints.forecasts": _("Danh sách dự kiến người về"),
    "checkpoints.oversight": _("Giám sát chốt: kết thúc cách ly hôm nay"),
    "cases.alert_resolve_form": _("Đóng cảnh báo của F0 (xem trước khi đóng)"),
    "hotline.case_summary_read": _("Tóm tắt ca F0 cho tổng đài viên"),
    "tracing.contact_candidates": _("Người có thể trùng khi thêm người tiếp xúc"),
    "tracing.case_contacts": _("Danh sách người tiếp xúc của F0"),
    "tracing.contacts": _("Danh sách người tiếp xúc"),
    "tracing.contact": _("Mở hồ sơ người tiếp xúc"),
    "tracing.chain": _("Chuỗi lây nhiễm"),
    "tracing.cluster": _("Mở ổ dịch"),
    "vaccination.record": _("Hồ sơ tiêm chủng"),
    "vaccination.dose_form": _("Ghi mũi tiêm"),
    "vaccination.reviews": _("Danh sách mũi tiêm cần rà soát"),
    "vaccination.review": _("Rà soát mũi tiêm chưa khớp người"),
    "vaccination.outreach": _("Danh sách vận động tiêm chủng"),
    "vaccination.outreach_export": _("Danh sách vận động tiêm chủng (Excel)"),
    "vaccination.certificate": _("Giấy chứng nhận tiêm chủng (PDF)"),
    "vaccination.aefi_queue": _("Danh sách phản ứng sau tiêm"),
    "vaccination.aefi": _("Mở báo cáo phản ứng sau tiêm"),
    "vaccination.aefi_form": _("Báo cáo phản ứng sau tiêm"),
    "labtests.samples": _("Danh sách mẫu xét nghiệm"),
    "labtests.sample": _("Mở mẫu xét nghiệm"),
    "labtests.pool": _("Mở mẫu gộp"),
    "labtests.orders": _("Danh sách lệnh lấy lại mẫu"),
    "labtests.test_orders": _("Danh sách lệnh test nhanh cho người có triệu chứng"),
    "zones.households": _("Danh sách hộ trong vùng phong tỏa"),
    "zones.food_gaps": _("Danh sách hộ chưa được cấp lương thực"),
    "zones.passages": _("Người qua chốt kiểm soát của vùng phong tỏa"),
    "zones.household_link_read": _("Đường link của hộ trong vùng phong tỏa (để in, gửi)"),
    "export.download": _("Tải tệp Excel đã xuất"),
    "import.report": _("Kết quả nhập tệp (dòng lỗi)"),
    "vaccination.api_doses": _("Mũi tiêm của một người (API)"),
    "vaccination.outreach_print": _("In danh sách vận động tiêm chủng"),
    "vaccination.aefi_export": _("Danh sách phản ứng sau tiêm (Excel)"),
    "labtests.point_samples": _("Mẫu đã lấy tại điểm lấy mẫu"),
    "labtests.teams": _("Danh sách tổ lấy mẫu"),
    "labtests.team": _("Mở tổ lấy mẫu"),
}

# What a write did, as the verb phrase of a sentence whose subject is the actor's office:
# "Trạm y tế Xã A, Huyện B xác nhận người về đã đến". Every action the code records is here
# (audit/tests/test_labels.py walks the source); an action missing here would show its code.
WRITE_ACTIONS = {
    "export.request": _("yêu cầu xuất tệp Excel"),
    "import.request": _("tải tệp lên để nhập ở chế độ nền"),
    "api_token.create": _("tạo khóa truy cập API"),
    "api_token.revoke": _("thu hồi khóa truy cập API"),
    "user.create": _("tạo tài khoản"),
    "user.activate": _("mở lại tài khoản"),
    "user.deactivate": _("khóa tài khoản"),
    "person.create": _("thêm người dân"),
    "person.update": _("sửa thông tin người dân"),
    "person.merge": _("gộp hai hồ sơ người dân trùng nhau"),
    "person.referral": _("chuyển hồ sơ có thể trùng cho xã khác xem xét"),
    "person.referral_resolve": _("xử lý đề nghị xem xét hồ sơ trùng"),
    "cases.register": _("ghi nhận ca F0"),
    "cases.check": _("ghi phiếu theo dõi sức khỏe F0"),
    "cases.verify": _("xác minh ca F0 tự khai báo"),
    "cases.lab_result": _("ghi kết quả xét nghiệm"),
    "cases.link_issue": _("tạo đường dẫn cá nhân cho F0"),
    "cases.home_care_override": _("cho F0 tiếp tục điều trị tại nhà, ghi lý do"),
    "cases.transfer": _("chuyển F0 đến cơ sở điều trị"),
    "cases.release": _("kết thúc cách ly và cấp giấy khỏi bệnh cho F0"),
    "cases.death": _("ghi nhận F0 tử vong"),
    "cases.dossier": _("lập hồ sơ tử vong"),
    "cases.medicine_bag": _("ghi nhận phát túi thuốc cho F0"),
    "cases.mobile_visit": _("ghi nhận trạm y tế lưu động đến khám F0"),
    "cases.no_contact_scan": _("rà soát F0 không liên lạc được"),
    "cases.alert_acknowledge": _("nhận xử lý cảnh báo của F0"),
    "cases.alert_resolve": _("đóng cảnh báo của F0"),
    "cases.alert_escalate": _("chuyển tuyến cảnh báo của F0"),
    "cases.report_draft": _("lập bản tin ngày"),
    "cases.report_publish": _("công bố bản tin ngày"),
    "checkpoints.declare": _("khai báo y tế tại chốt"),
    "checkpoints.passage": _("ghi quyết định tại chốt cho người qua chốt"),
    "checkpoints.handover_arrived": _("xác nhận người về đã đến"),
    "checkpoints.handover_no_show": _("báo người về không đến"),
    "checkpoints.quarantine_start": _("bắt đầu cách ly y tế tại nhà"),
    "checkpoints.quarantine_check": _("ghi theo dõi sức khỏe người cách ly"),
    "checkpoints.quarantine_link": _("tạo đường dẫn cá nhân cho người cách ly"),
    "checkpoints.quarantine_release": _("kết thúc cách ly tại nhà"),
    "checkpoints.quarantine_commitment": _("ghi nhận đã ký bản cam kết cách ly"),
    "checkpoints.quarantine_door_sign": _("ghi nhận đã dán biển cách ly"),
    "quarantine.open": _("lập hồ sơ cách ly"),
    "quarantine.commitment": _("ghi nhận đã ký bản cam kết cách ly"),
    "quarantine.door_sign": _("ghi nhận đã dán biển cách ly"),
    "quarantine.test_sample": _("lấy mẫu xét nghiệm theo lịch cách ly"),
    "quarantine.migrate_home": _("chuyển hồ sơ cách ly tại nhà cũ sang hồ sơ cách ly chung"),
    "quarantine.extend": _("kéo dài cách ly do tiếp xúc mới"),
    "quarantine.change_end": _("đổi ngày kết thúc cách ly"),
    "quarantine.admit": _("nhận người cách ly vào khu cách ly tập trung"),
    "quarantine.complete": _("xác nhận hoàn thành cách ly"),
    "quarantine.release_early": _("kết thúc cách ly sớm"),
    "quarantine.move": _("chuyển người cách ly đi nơi khác"),
    "quarantine.convert": _("chuyển người cách ly thành F0"),
    "quarantine.check": _("ghi theo dõi sức khỏe hằng ngày của người cách ly"),
    "quarantine.link": _("tạo đường dẫn tự theo dõi cho người cách ly"),
    "quarantine.follow_up_done": _("xử lý việc cần làm của người cách ly"),
    "checkpoints.citizen_report": _("nhận tin báo của người dân về người về chưa khai báo"),
    "checkpoints.follow_up_done": _("hoàn thành việc cần theo dõi"),
    "checkpoints.transit_create": _("bắt đầu dẫn đường xe đi qua tỉnh"),
    "checkpoints.transit_exit": _("xác nhận xe đi qua đã ra khỏi tỉnh"),
    "checkpoints.transit_overdue": _("báo xe đi qua quá giờ chưa ra khỏi tỉnh"),
    "checkpoints.epidemic_area_add": _("thêm vùng dịch"),
    "checkpoints.epidemic_area_end": _("kết thúc vùng dịch"),
    "checkpoints.forecast_import": _("nhập danh sách dự kiến người về"),
    "checkpoints.forecast_refuse": _("từ chối tệp danh sách dự kiến người về"),
    "checkpoints.pharmacy_register": _("đăng ký nhà thuốc báo người mua thuốc"),
    "checkpoints.pharmacy_report": _("nhận báo cáo của nhà thuốc"),
    "hotline.ticket_create": _("tạo phiếu 1022"),
    "hotline.ticket_claim": _("nhận xử lý phiếu 1022"),
    "hotline.ticket_release": _("trả lại phiếu 1022 cho đơn vị"),
    "hotline.ticket_reply": _("trả lời người dân trên phiếu 1022"),
    "hotline.ticket_note": _("ghi chú nội bộ trên phiếu 1022"),
    "hotline.ticket_forward": _("chuyển phiếu 1022 sang đơn vị khác"),
    "hotline.ticket_reassign": _("giao lại phiếu 1022"),
    "hotline.ticket_escalate": _("nâng mức phiếu 1022 lên cấp trên"),
    "hotline.ticket_resolve": _("giải quyết xong phiếu 1022"),
    "hotline.ticket_close": _("đóng phiếu 1022"),
    "hotline.citizen_message": _("gửi tin nhắn vào phiếu 1022"),
    "hotline.link_mint": _("tạo đường dẫn theo dõi phiếu cho người dân"),
    "hotline.relief_create": _("ghi yêu cầu hỗ trợ"),
    "hotline.relief_fulfil": _("ghi nhận đã hỗ trợ"),
    "hotline.support_record": _("ghi khoản chi hỗ trợ"),
    "hotline.routing_seed": _("lập bảng phân tuyến phiếu 1022"),
    "directives.document_import": _("nhập văn bản chỉ đạo"),
    "directives.document_extract_retry": _("đọc lại văn bản chỉ đạo"),
    "directives.document_update": _("sửa thông tin văn bản chỉ đạo"),
    "directives.document_confirm": _("xác nhận nhiệm vụ của văn bản chỉ đạo"),
    "directives.task_assign": _("giao nhiệm vụ cho đơn vị"),
    "directives.task_update": _("sửa nhiệm vụ"),
    "directives.task_delete": _("xóa nhiệm vụ"),
    "directives.task_merge": _("gộp hai nhiệm vụ"),
    "directives.task_split": _("tách nhiệm vụ"),
    "directives.task_report": _("báo cáo tiến độ nhiệm vụ"),
    "directives.task_accept": _("chấp nhận kết quả nhiệm vụ"),
    "directives.task_return": _("trả lại kết quả nhiệm vụ"),
    "directives.alias_add": _("thêm tên gọi khác của đơn vị"),
    "directives.official_add": _("thêm cán bộ đầu mối của đơn vị"),
    "directives.membership_add": _("gắn tài khoản báo cáo với đơn vị"),
    "directives.proposal_accept": _("thêm đơn vị mới từ đề xuất"),
    "directives.proposal_map": _("gắn tên đề xuất với đơn vị có sẵn"),
    "directives.proposal_ignore": _("bỏ qua đề xuất đơn vị"),
    "directives.indicator_confirm": _("xác nhận chỉ số theo dõi của nhiệm vụ"),
    "directives.indicator_remove": _("bỏ chỉ số theo dõi của nhiệm vụ"),
    "directives.units_seed": _("lập danh mục đơn vị"),
    "facility.occupy": _("xếp giường tại cơ sở điều trị"),
    "geo.load": _("nạp danh mục đơn vị hành chính"),
    "geo.population_import": _("nhập dân số theo xã"),
    "schedule.task_retry": _("chạy lại việc định kỳ bị lỗi"),
    "schedule.task_abandoned": _("bỏ việc định kỳ lỗi nhiều lần"),
    "demo.build": _("dựng dữ liệu mẫu"),
    "cases.alert_ticket_resolved": _("đóng cảnh báo của F0 khi phiếu 1022 đi kèm được giải quyết"),
    "cases.link_send": _("gửi đường dẫn cá nhân cho F0 qua tin nhắn"),
    "cases.transfer_needed": _("đưa F0 vào danh sách cần chuyển tuyến"),
    "cases.transfer_override": _("cho F0 ở lại, không chuyển tuyến, ghi lý do"),
    "hotline.ticket_alert_acknowledged": _("ghi nhận phiếu 1022 đã xử lý, báo cho tổ chăm sóc F0"),
    "hotline.ticket_resolve_by_alert": _("giải quyết phiếu 1022 khi cảnh báo F0 đi kèm được xử lý"),
    "facilities.create": _("thêm cơ sở điều trị/cách ly"),
    "facilities.update": _("sửa thông tin cơ sở điều trị/cách ly"),
    "facilities.capacity": _("thay đổi số giường của cơ sở"),
    "facilities.occupancy_report": _("báo cáo số giường đang dùng trong ngày"),
    "facilities.source": _("đổi cách tính số giường đang dùng của cơ sở"),
    "facilities.staff_add": _("gắn tài khoản với cơ sở"),
    "facilities.staff_remove": _("bỏ tài khoản khỏi cơ sở"),
    "facilities.readiness_plan": _("lập phương án sẵn sàng theo cấp độ dịch"),
    "zones.propose": _("đề xuất lập vùng phong tỏa, giãn cách"),
    "zones.proposal": _("đề xuất gỡ bỏ hoặc đổi phân loại vùng"),
    "zones.decide": _("quyết định đề xuất về vùng phong tỏa, giãn cách"),
    "zones.facts": _("cập nhật ca mắc, xét nghiệm, dân số của vùng"),
    "zones.household_add": _("thêm hộ vào kế hoạch cung ứng lương thực của vùng"),
    "zones.food_request": _("ghi yêu cầu lương thực của hộ trong vùng"),
    "zones.delivery": _("ghi lượt giao lương thực cho hộ trong vùng"),
    "zones.food_request_hotline": _("ghi yêu cầu lương thực của hộ từ cuộc gọi 1022"),
    "zones.food_request_citizen": _("hộ gia đình gửi yêu cầu lương thực qua đường link"),
    "zones.delivery_confirm": _("hộ gia đình xác nhận đã nhận hàng qua đường link"),
    "zones.household_link_issue": _("cấp đường link cho hộ trong vùng phong tỏa"),
    "zones.household_link_send": _("gửi đường link cho hộ trong vùng phong tỏa"),
    "zones.checkpoint_attach": _("gắn chốt kiểm soát với vùng phong tỏa"),
    "zones.checkpoint_detach": _("bỏ chốt kiểm soát khỏi vùng phong tỏa"),
    "hotline.ticket_food_link": _("nối phiếu 1022 nhánh lương thực với yêu cầu của vùng"),
    "zones.classification_scan": _("so phân loại nguy cơ theo số liệu và gửi đề xuất phân loại"),
    "facility.discharge": _("cho người bệnh ra, trả giường"),
    "supplies.place_create": _("thêm nơi giữ vật tư"),
    "supplies.request_create": _("đề nghị cấp vật tư"),
    "supplies.request_decide": _("duyệt đề nghị cấp vật tư"),
    "supplies.request_fulfil": _("cấp vật tư theo đề nghị"),
    "supplies.procurement_create": _("lập hồ sơ mua sắm"),
    "supplies.procurement_advance": _("chuyển bước hồ sơ mua sắm"),
    "supplies.procurement_attach": _("đính kèm tài liệu vào hồ sơ mua sắm"),
    "tracing.contact.add": _("thêm người tiếp xúc"),
    "tracing.contact.import": _("thêm người tiếp xúc từ tệp"),
    "tracing.contact.status": _("cập nhật trạng thái người tiếp xúc"),
    "tracing.contact.became_case": _("ghi nhận người tiếp xúc trở thành F0"),
    "tracing.cluster.create": _("mở ổ dịch"),
    "tracing.cluster.case_add": _("thêm ca vào ổ dịch"),
    "tracing.cluster.source": _("ghi nguồn lây của ổ dịch"),
    "tracing.cluster.close": _("đóng ổ dịch không còn ca mới"),
    "tracing.import": _("nhập danh sách tiếp xúc từ tệp"),
    "vaccination.import": _("nhập mũi tiêm từ tệp"),
    "vaccination.coverage_refresh": _("tính lại tỷ lệ bao phủ tiêm chủng"),
    "vaccination.person_status_reconcile": _("đối soát bảng tình trạng tiêm chủng từng người"),
    "vaccination.demo": _("dựng dữ liệu tiêm chủng mẫu"),
    "vaccination.certificate_issue": _("cấp giấy chứng nhận tiêm chủng"),
    "vaccination.reminder.send": _("nhắn tin nhắc lịch tiêm mũi tiếp theo"),
    "vaccination.aefi.report": _("ghi nhận phản ứng sau tiêm"),
    "vaccination.aefi.link": _("tạo đường link báo phản ứng sau tiêm cho người được tiêm"),
    "vaccination.aefi.status": _("cập nhật điều tra phản ứng sau tiêm"),
    "vaccination.aefi.reopen": _("mở lại điều tra phản ứng sau tiêm đã kết luận"),
    "vaccination.dose.record": _("ghi mũi tiêm"),
    "vaccination.dose.checked": _("đánh dấu đã rà soát mũi tiêm trái quy tắc"),
    "vaccination.outreach.outcome": _("ghi kết quả vận động tiêm chủng"),
    "vaccination.review.open": _("đưa mũi tiêm chưa khớp người vào danh sách rà soát"),
    "vaccination.review.resolve": _("xử lý mũi tiêm chưa khớp người"),
    "vaccination.risk_flag": _("ghi nhóm nguy cơ của người"),
    "vaccination.risk_flag_end": _("ghi ngày kết thúc nhóm nguy cơ của người"),
    "vaccination.reminder_channel": _("chọn cách nhắc lịch tiêm của người (SMS hoặc Zalo)"),
    "vaccination.risk_import": _("nhập nhóm nguy cơ từ tệp"),
    "vaccination.population_band_import": _("nhập dân số theo nhóm tuổi"),
    "vaccination.campaign.create": _("lập chiến dịch tiêm chủng"),
    "vaccination.campaign.update": _("sửa chiến dịch tiêm chủng"),
    "vaccination.campaign.target": _("đặt chỉ tiêu chiến dịch cho đơn vị"),
    "vaccination.campaign.link_task": _("liên kết nhiệm vụ chỉ đạo với chiến dịch tiêm chủng"),
    "vaccination.campaign.unlink_task": _(
        "bỏ liên kết nhiệm vụ chỉ đạo với chiến dịch tiêm chủng"
    ),
    "vaccination.campaign.refresh": _("tính lại tiến độ chiến dịch tiêm chủng"),
    "vaccination.campaign.read": _("xem danh sách nhóm nguy cơ"),
    "reports.briefing_create": _("lập báo cáo nhanh"),
    "reports.briefing_draft": _("lập bản nháp báo cáo nhanh hằng ngày"),
    "levels.assess": _("đánh giá cấp độ dịch các đơn vị"),
    "levels.review": _("thẩm định cấp độ dịch"),
    "levels.override": _("điều chỉnh cấp độ dịch đề xuất"),
    "levels.publish": _("công bố cấp độ dịch"),
    "labtests.sample_take": _("ghi mẫu xét nghiệm"),
    "labtests.sample_receive": _("ghi nhận phòng xét nghiệm nhận mẫu"),
    "labtests.sample_reject": _("từ chối mẫu xét nghiệm"),
    "labtests.result_record": _("ghi kết quả xét nghiệm"),
    "labtests.pool_create": _("tạo mẫu gộp"),
    "labtests.pool_result": _("ghi kết quả mẫu gộp"),
    "labtests.campaign_create": _("tạo đợt xét nghiệm tầm soát"),
    "labtests.results_import": _("nhập kết quả xét nghiệm từ tệp"),
    "labtests.api_results": _("gửi kết quả xét nghiệm qua API"),
    "labtests.point_create": _("lập điểm lấy mẫu"),
    "labtests.round_create": _("lập vòng xét nghiệm tầm soát"),
    "labtests.round_close": _("kết thúc vòng xét nghiệm tầm soát"),
    "labtests.test_order_create": _("tạo lệnh test nhanh cho người có triệu chứng"),
    "labtests.team_create": _("lập tổ lấy mẫu"),
    "labtests.team_update": _("sửa tổ lấy mẫu"),
    "labtests.shift_assign": _("phân ca cho tổ lấy mẫu"),
    "labtests.shift_update": _("sửa ca của tổ lấy mẫu"),
    "labtests.shift_cancel": _("hủy ca của tổ lấy mẫu"),
    "labtests.team_link": _("gắn tên tổ ghi bằng chữ với tổ lấy mẫu"),
    "labtests.test_order_sample": _("lấy mẫu theo lệnh test nhanh"),
    "levels.history": _("tính lại lịch sử cấp độ dịch"),
    "levels.shapes_import": _("nhập ranh giới đơn vị hành chính"),
    "levels.threshold": _("sửa ngưỡng đánh giá cấp độ dịch"),
    "levels.rules_start": _("sửa ngày áp dụng bộ tiêu chí cấp độ dịch"),
    "vaccination.aefi.link_send": _("gửi đường link báo phản ứng sau tiêm"),
    "vaccination.aefi.link_revoke": _("thu hồi đường link báo phản ứng sau tiêm"),
    "vaccination.campaign.target_import": _("nhập chỉ tiêu chiến dịch tiêm chủng từ tệp"),
    "vaccination.certificate_revoke": _("thu hồi giấy chứng nhận tiêm chủng"),
    "vaccination.dose.unlink": _("gỡ mũi tiêm khỏi người bị ghép nhầm"),
}
# Policy pages record "policy.<app>.<model>.<verb>"; the verb names the change.
POLICY_VERBS = {
    "create": _("thêm dòng"),
    "update": _("sửa dòng"),
    "activate": _("bật lại dòng"),
    "deactivate": _("ngừng dòng"),
}

# How an actor's office is named in a sentence, by role: a commune worker speaks for the
# commune's health station, a checkpoint officer for the checkpoint team of the district.
OFFICE_BY_ROLE = {
    "commune_health_worker": _("Trạm y tế %(unit)s"),
    "care_team_member": _("Tổ chăm sóc F0 %(unit)s"),
    "health_officer": _("Cơ quan y tế %(unit)s"),
    "checkpoint_officer": _("Tổ kiểm soát %(unit)s"),
    "hotline_agent": _("Tổng đài 1022 %(unit)s"),
    "relief_officer": _("Trung tâm hỗ trợ %(unit)s"),
    "committee_member": _("Ban Chỉ đạo %(unit)s"),
    "province_admin": _("Quản trị hệ thống %(unit)s"),
    "directive_clerk": _("Bộ phận theo dõi kết luận %(unit)s"),
    "unit_reporter": _("Cán bộ báo cáo %(unit)s"),
}

# Names for records whose model has no Vietnamese verbose_name of its own.
RECORD_NAMES = {
    "tracing.contact": _("hồ sơ người tiếp xúc"),
    "tracing.cluster": _("ổ dịch"),
    "checkpoints.declaration": _("tờ khai"),
    "checkpoints.handover": _("bàn giao người về"),
    "checkpoints.homequarantine": _("hồ sơ cách ly tại nhà"),
    "quarantine.quarantine": _("hồ sơ cách ly"),
    "checkpoints.returneeforecast": _("dự kiến người về"),
    "hotline.supportpayment": _("khoản chi hỗ trợ"),
    "checkpoints.passage": _("lượt qua chốt"),
    "checkpoints.pharmacy": _("nhà thuốc"),
    "checkpoints.pharmacyreport": _("báo cáo của nhà thuốc"),
    "checkpoints.citizenreport": _("tin báo của người dân"),
    "hotline.reliefrequest": _("yêu cầu hỗ trợ"),
    "hotline.ticket": _("phiếu 1022"),
    "audit.export": _("tệp Excel xuất"),
}

# Where a record shown through a read can be opened again, when it has a page.
RECORD_URLS = {
    "cases.case": "cases:detail",
    "tracing.contact": "tracing:contact",
    "hotline.ticket": "hotline:ticket",
    "hotline.reliefrequest": "hotline:relief_detail",
    "checkpoints.homequarantine": "checkpoints:quarantine",
    "quarantine.quarantine": "quarantine:detail",
}


def action_label(action: str) -> str:
    return READ_ACTIONS.get(action, action)


def write_label(action: str) -> str:
    """The verb phrase of a write; a policy change names its table."""
    if action in WRITE_ACTIONS:
        return str(WRITE_ACTIONS[action])
    parts = action.split(".")
    if parts[0] == "policy" and len(parts) == 4 and parts[3] in POLICY_VERBS:
        try:
            table = apps.get_model(parts[1], parts[2])._meta.verbose_name
        except LookupError:
            table = ".".join(parts[1:3])
        return _("%(verb)s “%(table)s” trên trang chính sách") % {
            "verb": POLICY_VERBS[parts[3]],
            "table": table,
        }
    return action


def actor_office(event) -> str:
    """Who acted, as an office and its place ("Trạm y tế Phường Hàm Rồng, Thành phố Thanh
    Hóa"), with the account in brackets; the scheduler and citizens by their label."""
    actor = event.actor
    if actor is None:
        if event.actor_label in ("", "hệ thống"):
            return str(_("Hệ thống"))
        if event.actor_label in ("người dân", "công dân"):  # "công dân" before it was one word
            return str(_("Người dân"))
        return event.actor_label
    unit = actor.jurisdiction
    office = OFFICE_BY_ROLE.get(actor.role)
    if office is None or unit is None:
        name = actor.get_role_display() or str(_("Tài khoản nhân viên"))
    else:
        name = office % {"unit": unit.label()}
    return f"{name} ({event.actor_label or actor.get_username()})"


def actor_name(event) -> str:
    """The "performed by" column: the account's username, or citizens and the scheduler in
    the reader's language."""
    if event.actor_id is None and event.actor_label in ("", "hệ thống", "người dân", "công dân"):
        return actor_office(event)
    return event.actor_label


def event_sentence(event) -> str:
    """One audit event as a sentence: "Trạm y tế Xã A, Huyện B xác nhận người về đã đến:
    bàn giao #12". Reads say what was looked at, sign-ins that someone signed in."""
    who = actor_office(event)
    if event.kind == "read":
        what = _("xem “%(what)s”") % {"what": action_label(event.action)}
    elif event.kind == "auth":
        what = str(READ_ACTIONS.get(event.action, _("đăng nhập")))
    else:
        what = write_label(event.action)
    target = event_target(event)
    return f"{who} {what}: {target}" if target else f"{who} {what}"


# Records named by their own label in a sentence: a place's name says more than its id.
NAMED_BY_LABEL = {"geo.adminunit", "directives.document", "directives.orgunit", "people.person"}


def event_target(event) -> str:
    if not event.target_type or event.target_type in NAMED_BY_LABEL:
        return event.target_label
    if event.target_id.isdigit():
        return record_label(event.target_type, int(event.target_id))
    return event.target_label


def record_label(record_type: str, record_id: int) -> str:
    name = RECORD_NAMES.get(record_type)
    if name is None:
        try:
            name = apps.get_model(record_type)._meta.verbose_name
        except (LookupError, ValueError):
            name = record_type
    return f"{name} #{record_id}"


def record_url(record_type: str, record_id: int) -> str:
    try:
        return reverse(RECORD_URLS[record_type], args=[record_id])
    except (KeyError, NoReverseMatch):
        return ""


def read_rows(subjects) -> list[dict]:
    """Rows for the "who has read these records" table; the person's own record shows no
    "through" column, a case or ticket of theirs names and links it."""
    rows = []
    for subject in subjects:
        own = subject.record_type == "people.person"
        rows.append(
            {
                "at": subject.event.at,
                "actor": subject.event.actor_label,
                "what": action_label(subject.event.action),
                "count": subject.event.changes.get("count", 1),
                "through": "" if own else record_label(subject.record_type, subject.record_id),
                "through_url": "" if own else record_url(subject.record_type, subject.record_id),
            }
        )
    return rows


def citizen_read_rows(person, limit: int = 10) -> list[dict]:
    """The latest reads of a person's records, for the person's own page behind their
    personal link: which office looked, when and where, without staff usernames (a citizen
    needs to know which office to ask, not whom to call)."""
    from .selectors import person_reads

    subjects = person_reads(person).filter(event__actor__isnull=False)
    subjects = subjects.select_related("event__actor__jurisdiction")[:limit]
    rows = []
    for subject in subjects:
        actor = subject.event.actor
        rows.append(
            {
                "at": subject.event.at,
                "who": actor.get_role_display(),
                "where": actor.jurisdiction.name if actor.jurisdiction_id else "",
                "what": action_label(subject.event.action),
            }
        )
    return rows
