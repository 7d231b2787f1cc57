"""Build a realistic demo workspace (roster, returned workbooks, empty outbox) to try the pipeline on."""
from __future__ import annotations

import datetime as dt
import io
import os
import random
import re
import shutil
import unicodedata
from dataclasses import dataclass
from pathlib import Path

import openpyxl
import pandas as pd

from pipeline.isolation import Failure, run_isolated
from pipeline.intake.legacy_encoding import encode_legacy
from pipeline.roster import COLUMNS, RosterUnit
from pipeline.form import FormSpec
from pipeline.template.build import UnitCopy, build_template
from pipeline.template.fill import fill_template
from pipeline.template.publish import unit_file_name
from pipeline.vietnamese import vn_date, vn_number

ROSTER_NAME = "danh-sach-cdcs.xlsx"
MARKER_NAME = ".consolidate-demo"  # proves a directory was made by the demo, so refreshing it loses nothing
SUBFOLDER = "thang-12"  # staff file late arrivals and resends in a folder of their own

GROUP_EDUCATION, GROUP_HEALTH, GROUP_CULTURE = "Giáo dục", "Y tế", "Văn hóa - Thể thao"
GROUP_OFFICE, GROUP_OTHER = "Cơ quan hành chính", "Sự nghiệp khác"

# The provincial units whose grassroots unions report to CĐVC tỉnh, by group.
UNIT_NAMES: dict[str, tuple[str, ...]] = {
    GROUP_EDUCATION: (
        "Trường THPT chuyên Lam Sơn", "Trường THPT Hàm Rồng", "Trường THPT Đào Duy Từ", "Trường THPT Nguyễn Trãi",
        "Trường THPT Hoằng Hóa 4", "Trường THPT Quảng Xương 1", "Trường THPT Nông Cống 1", "Trường THPT Ba Đình",
        "Trường THPT Lê Lợi", "Trường THPT Mường Lát", "Trường Phổ thông Dân tộc nội trú tỉnh Thanh Hóa",
        "Trường Đại học Hồng Đức", "Trường Đại học Văn hóa, Thể thao và Du lịch Thanh Hóa",
        "Trường Cao đẳng Y tế Thanh Hóa", "Trung tâm Giáo dục thường xuyên tỉnh Thanh Hóa",
    ),
    GROUP_HEALTH: (
        "Bệnh viện Đa khoa tỉnh Thanh Hóa", "Bệnh viện Nhi Thanh Hóa", "Bệnh viện Phụ sản Thanh Hóa",
        "Bệnh viện Y dược cổ truyền Thanh Hóa", "Bệnh viện Phổi Thanh Hóa", "Bệnh viện Đa khoa khu vực Ngọc Lặc",
        "Bệnh viện Mắt Thanh Hóa", "Trung tâm Kiểm soát bệnh tật tỉnh Thanh Hóa",
    ),
    GROUP_CULTURE: (
        "Nhà hát Nghệ thuật truyền thống tỉnh", "Thư viện tỉnh Thanh Hóa", "Bảo tàng tỉnh Thanh Hóa",
        "Trung tâm Huấn luyện và Thi đấu thể dục thể thao tỉnh", "Trung tâm Bảo tồn di sản văn hóa Thanh Hóa",
    ),
    GROUP_OFFICE: (
        "Sở Tài chính", "Sở Kế hoạch và Đầu tư", "Sở Tư pháp", "Sở Nội vụ", "Văn phòng UBND tỉnh",
        "Sở Tài nguyên và Môi trường", "Sở Khoa học và Công nghệ",
    ),
    GROUP_OTHER: (
        "Đài Phát thanh và Truyền hình Thanh Hóa", "Báo Thanh Hóa",
        "Ban Quản lý Khu kinh tế Nghi Sơn và các khu công nghiệp", "Trung tâm Dịch vụ việc làm Thanh Hóa",
        "Vườn quốc gia Bến En",
    ),
}

# ------------------------------------------------------------------ people
SURNAMES = ("Nguyễn", "Lê", "Trịnh", "Hoàng", "Phạm", "Đỗ", "Mai", "Vũ", "Hà", "Đặng", "Bùi", "Lưu", "Tống", "Cao")
MALE_MIDDLE = ("Văn", "Đình", "Hữu", "Xuân", "Minh", "Ngọc", "Đức", "Quang")
FEMALE_MIDDLE = ("Thị", "Thị", "Thu", "Thanh", "Ngọc", "Minh", "Hồng")
MALE_GIVEN = ("Hùng", "Tuấn", "Dũng", "Sơn", "Hải", "Quang", "Thắng", "Trung", "Long", "Cường", "Hiếu", "Toàn")
FEMALE_GIVEN = ("Lan", "Hương", "Hạnh", "Thủy", "Phương", "Nga", "Yến", "Hằng", "Linh", "Huyền", "Hoa", "Mai")
MOBILE_PREFIXES = ("091", "094", "097", "098", "086", "088", "035", "036", "039", "083")

RATINGS = ("Hoàn thành xuất sắc nhiệm vụ", "Hoàn thành tốt nhiệm vụ", "Hoàn thành nhiệm vụ")
RATING_WEIGHTS = (35, 50, 15)

# ------------------------------------------------------------------ narrative phrase banks
# Sentences with {placeholders} are filled from the unit's own figures so that text and figures agree.
GROUP_CONTEXT: dict[str, dict[str, tuple[str, ...]]] = {
    "tm_I": {
        GROUP_EDUCATION: (
            "100% giáo viên đạt chuẩn trình độ đào tạo theo Luật Giáo dục năm 2019; nhiều thầy cô đạt danh hiệu giáo viên dạy giỏi cấp tỉnh.",
            "Việc triển khai Chương trình giáo dục phổ thông 2018 đặt ra yêu cầu cao về đổi mới phương pháp dạy học, tạo áp lực không nhỏ cho đội ngũ nhà giáo.",
            "Tình trạng thiếu giáo viên một số môn như Tin học, Ngoại ngữ, Nghệ thuật vẫn chưa được khắc phục triệt để.",
        ),
        GROUP_HEALTH: (
            "Cường độ làm việc của đội ngũ y, bác sĩ cao, áp lực lớn do số lượng người bệnh tăng trở lại sau đại dịch COVID-19.",
            "Một số bác sĩ có trình độ chuyên môn cao chuyển sang làm việc tại cơ sở y tế tư nhân, ảnh hưởng đến tâm lý chung của tập thể.",
            "Nguồn thu từ dịch vụ khám, chữa bệnh dần phục hồi, thu nhập tăng thêm của người lao động được cải thiện so với năm 2022.",
        ),
        GROUP_CULTURE: (
            "Đặc thù công việc thường xuyên biểu diễn, phục vụ nhiệm vụ chính trị vào ngày nghỉ, ngày lễ nên thời gian nghỉ ngơi của người lao động bị hạn chế.",
            "Nguồn thu sự nghiệp còn thấp nên thu nhập tăng thêm của viên chức chưa cao.",
            "Đội ngũ viên chức trẻ có năng lực, nhiệt huyết, được đào tạo bài bản, gắn bó với nghề.",
        ),
        GROUP_OFFICE: (
            "100% công chức có trình độ đại học trở lên, nhiều đồng chí có trình độ thạc sĩ.",
            "Khối lượng công việc lớn, nhất là các nhiệm vụ tham mưu và giải quyết thủ tục hành chính trên môi trường điện tử.",
            "Công chức, người lao động chấp hành nghiêm kỷ luật, kỷ cương hành chính và văn hóa công vụ.",
        ),
        GROUP_OTHER: (
            "Đơn vị thực hiện cơ chế tự chủ tài chính nên thu nhập của người lao động phụ thuộc nhiều vào kết quả hoạt động sự nghiệp.",
            "Việc làm của người lao động ổn định, không có trường hợp thiếu việc làm.",
            "Một số vị trí việc làm chuyên môn sâu còn thiếu, đơn vị đang đề nghị bổ sung chỉ tiêu tuyển dụng.",
        ),
    },
    "tm_II_3": {
        GROUP_EDUCATION: (
            "Phong trào \"Dạy tốt - Học tốt\" được duy trì, chất lượng giáo dục mũi nhọn giữ vững, học sinh đạt nhiều giải trong kỳ thi chọn học sinh giỏi cấp tỉnh.",
            "Nhiều thầy cô tích cực viết sáng kiến kinh nghiệm, ứng dụng công nghệ thông tin và chuyển đổi số trong dạy học.",
        ),
        GROUP_HEALTH: (
            "Phong trào \"Thầy thuốc như mẹ hiền\" gắn với đổi mới phong cách, thái độ phục vụ hướng tới sự hài lòng của người bệnh được đẩy mạnh.",
            "Nhiều kỹ thuật chuyên sâu được triển khai thành công tại đơn vị, giảm tỷ lệ chuyển tuyến.",
        ),
        GROUP_CULTURE: (
            "Phong trào thi đua \"Lao động giỏi, lao động sáng tạo\" gắn với nhiệm vụ phục vụ các sự kiện chính trị, văn hóa lớn của tỉnh.",
            "Nhiều chương trình nghệ thuật, triển lãm phục vụ nhân dân được dàn dựng công phu, được dư luận đánh giá cao.",
        ),
        GROUP_OFFICE: (
            "Phong trào thi đua cải cách hành chính, chuyển đổi số được đẩy mạnh, tỷ lệ hồ sơ xử lý trực tuyến ngày càng cao.",
            "Phong trào \"Công sở văn minh, sạch đẹp, an toàn\" được công chức hưởng ứng tích cực.",
        ),
        GROUP_OTHER: (
            "Phong trào \"Lao động giỏi, lao động sáng tạo\" gắn với nâng cao chất lượng dịch vụ công được triển khai hiệu quả.",
            "Nhiều giải pháp cải tiến quy trình làm việc được áp dụng, tiết kiệm thời gian và chi phí cho đơn vị.",
        ),
    },
    "tm_V": {
        GROUP_EDUCATION: (
            "Đề nghị Sở Giáo dục và Đào tạo quan tâm bố trí đủ biên chế giáo viên theo định mức, giảm tình trạng hợp đồng kéo dài.",
            "Đề nghị cấp trên quan tâm đầu tư cơ sở vật chất, thiết bị dạy học đáp ứng yêu cầu Chương trình giáo dục phổ thông 2018.",
        ),
        GROUP_HEALTH: (
            "Đề nghị Sở Y tế có cơ chế thu hút, giữ chân bác sĩ có trình độ chuyên môn cao làm việc lâu dài tại đơn vị.",
            "Đề nghị cấp có thẩm quyền sớm điều chỉnh chế độ phụ cấp ưu đãi nghề cho người lao động ngành y tế.",
        ),
        GROUP_CULTURE: (
            "Đề nghị cấp trên quan tâm đầu tư trang thiết bị, phương tiện phục vụ biểu diễn và hoạt động chuyên môn.",
            "Đề nghị điều chỉnh chế độ bồi dưỡng luyện tập, biểu diễn cho diễn viên, vận động viên phù hợp với thực tế.",
        ),
        GROUP_OFFICE: (
            "Đề nghị cấp trên hướng dẫn cụ thể việc kiện toàn tổ chức Công đoàn khi sáp nhập, hợp nhất các cơ quan chuyên môn.",
        ),
        GROUP_OTHER: (
            "Đề nghị cấp trên có hướng dẫn việc trích nộp kinh phí công đoàn đối với đơn vị sự nghiệp tự chủ tài chính.",
        ),
    },
}

SECTION_BANKS: dict[str, tuple[str, ...]] = {
    "tm_I": (
        "Thu nhập bình quân của CBCCVCLĐ đạt khoảng {thu_nhap} đồng/người/tháng; việc chi trả lương, phụ cấp và các chế độ được thực hiện đầy đủ, kịp thời.",
        "Đội ngũ CBCCVCLĐ có lập trường chính trị vững vàng, chấp hành nghiêm chủ trương của Đảng, chính sách, pháp luật của Nhà nước và quy định của đơn vị.",
        "Đời sống vật chất, tinh thần của đoàn viên cơ bản ổn định; tư tưởng yên tâm công tác, gắn bó với đơn vị.",
        "Tuy nhiên, giá cả sinh hoạt tăng cao trong khi thu nhập chưa tương xứng nên một bộ phận CBCCVCLĐ, nhất là lao động hợp đồng, còn gặp khó khăn.",
        "Việc sắp xếp tổ chức bộ máy, tinh giản biên chế theo Nghị quyết số 19-NQ/TW có tác động nhất định đến tâm lý của một bộ phận viên chức.",
        "CBCCVCLĐ kỳ vọng vào lộ trình cải cách chính sách tiền lương theo Nghị quyết số 27-NQ/TW dự kiến thực hiện từ ngày 01/7/2024.",
    ),
    "tm_II_1": (
        "Công đoàn giám sát việc thực hiện chế độ nâng lương, nâng ngạch, BHXH, BHYT, BHTN cho người lao động, bảo đảm đúng, đủ, kịp thời.",
        "Hưởng ứng \"Tháng Công nhân\" và \"Tháng hành động về an toàn, vệ sinh lao động\" năm 2023, Công đoàn phối hợp rà soát trang thiết bị bảo hộ và điều kiện làm việc của người lao động.",
        "Phối hợp tổ chức khám sức khỏe định kỳ cho 100% CBCCVCLĐ.",
        "Phối hợp với chuyên môn tổ chức cho đoàn viên tham quan, nghỉ dưỡng hè tại Sầm Sơn và Hải Tiến.",
        "Tặng quà cho con đoàn viên đạt thành tích cao trong học tập nhân dịp Ngày Quốc tế thiếu nhi 1/6 và Tết Trung thu.",
        "Thực hiện \"Chương trình phúc lợi cho đoàn viên và người lao động\", giới thiệu đoàn viên mua hàng ưu đãi tại các doanh nghiệp liên kết.",
    ),
    "tm_II_2": (
        "Tổ chức kỷ niệm Ngày Quốc tế Lao động 1/5 và hưởng ứng Tháng Công nhân năm 2023 với chủ đề \"Kết nối công nhân, xây dựng tổ chức\".",
        "Đoàn viên tích cực tham gia cuộc thi trắc nghiệm tìm hiểu Nghị quyết Đại hội XIII Công đoàn Việt Nam trên mạng xã hội, nhiều đoàn viên đạt giải.",
        "Thường xuyên nắm bắt tư tưởng, tâm trạng của đoàn viên qua sinh hoạt tổ công đoàn và hội nghị giao ban.",
        "Tuyên truyền bảo vệ nền tảng tư tưởng của Đảng, đấu tranh phản bác các quan điểm sai trái, thù địch trên không gian mạng.",
        "Sử dụng nhóm Zalo và trang thông tin điện tử của đơn vị để kịp thời chuyển tải thông tin về hoạt động công đoàn tới đoàn viên.",
        "Tuyên truyền phòng, chống ma túy, tệ nạn xã hội và bảo đảm trật tự an toàn giao thông; trong năm không có CBCCVCLĐ vi phạm pháp luật.",
    ),
    "tm_II_3": (
        "Hưởng ứng Chương trình \"01 triệu sáng kiến\" của Tổng Liên đoàn, đoàn viên tích cực đăng ký và triển khai sáng kiến, giải pháp.",
        "Phong trào \"Thực hành tiết kiệm, chống lãng phí\" được thực hiện thường xuyên, góp phần tiết kiệm chi thường xuyên của đơn vị.",
        "Thi đua lập thành tích chào mừng Đại hội Công đoàn các cấp và kỷ niệm 75 năm Ngày Chủ tịch Hồ Chí Minh ra Lời kêu gọi thi đua ái quốc.",
        "Công tác bình xét thi đua, khen thưởng được thực hiện công khai, dân chủ, đúng quy định.",
    ),
    "tm_II_4": (
        "Thực hiện Nghị quyết số 02-NQ/TW của Bộ Chính trị, Công đoàn đổi mới nội dung, phương thức hoạt động, hướng mạnh về đoàn viên.",
        "Công đoàn tích cực tham gia góp ý xây dựng Đảng, xây dựng chính quyền, tham gia đánh giá, xếp loại đảng viên cuối năm.",
        "Quản lý đoàn viên trên phần mềm quản lý đoàn viên của Tổng Liên đoàn, cập nhật kịp thời biến động.",
        "Kết nạp mới {doan_vien_tang} đoàn viên, bảo đảm 100% người lao động đủ điều kiện đều được kết nạp vào tổ chức Công đoàn.",
    ),
    "tm_II_5": (
        "Công tác chuẩn bị văn kiện, nhân sự được thực hiện chu đáo, đúng hướng dẫn của CĐVC tỉnh.",
        "Đại hội đã thảo luận, góp ý vào dự thảo văn kiện Đại hội Công đoàn cấp trên và Đại hội XIII Công đoàn Việt Nam.",
        "Sau Đại hội, Ban Chấp hành đã xây dựng chương trình hành động để đưa Nghị quyết Đại hội vào cuộc sống.",
        "Đại hội thông qua các chỉ tiêu, nhiệm vụ trọng tâm của nhiệm kỳ, bám sát nhiệm vụ chính trị của đơn vị.",
    ),
    "tm_II_6": (
        "Giám sát việc thực hiện chế độ thai sản, nghỉ dưỡng sức cho lao động nữ, bảo đảm đầy đủ quyền lợi.",
        "Tổ chức tặng quà cho con đoàn viên nhân dịp Ngày Quốc tế thiếu nhi 1/6 và Tết Trung thu.",
        "Hưởng ứng chương trình \"Mẹ đỡ đầu\", nhận đỡ đầu trẻ em có hoàn cảnh đặc biệt khó khăn.",
        "Tổ chức tọa đàm về xây dựng gia đình hạnh phúc, phòng chống bạo lực gia đình.",
    ),
    "tm_II_7": (
        "Công đoàn thực hiện thu, chi, quản lý tài chính theo quy định của Tổng Liên đoàn, công khai tài chính tại hội nghị Ban Chấp hành.",
        "Đơn vị trích nộp kinh phí công đoàn đầy đủ, kịp thời theo quy định.",
        "Việc lập dự toán, quyết toán tài chính công đoàn được thực hiện đúng thời hạn; báo cáo tài chính được gửi cấp trên đầy đủ.",
        "Ưu tiên dành nguồn chi cho hoạt động chăm lo, bảo vệ quyền lợi đoàn viên, tiết kiệm chi hành chính.",
    ),
    "tm_II_8": (
        "Qua kiểm tra chưa phát hiện sai phạm; một số thiếu sót về chứng từ đã được chấn chỉnh kịp thời.",
        "Ủy ban kiểm tra xây dựng chương trình kiểm tra, giám sát ngay từ đầu năm và tổ chức thực hiện nghiêm túc.",
        "Phối hợp với Ban Thanh tra nhân dân giám sát việc thực hiện quy chế dân chủ và công khai tài chính tại đơn vị.",
    ),
    "tm_II_9": (
        "Đổi mới phương thức hoạt động theo hướng về đoàn viên, lấy sự hài lòng của đoàn viên làm thước đo hiệu quả.",
        "Mô hình \"Tổ công đoàn tự quản\" được duy trì, tạo sự gắn kết trong tập thể.",
        "Tăng cường ứng dụng công nghệ thông tin trong điều hành, triển khai văn bản qua phần mềm quản lý văn bản điện tử.",
        "Chủ động phối hợp với thủ trưởng đơn vị, tạo sự thống nhất trong chỉ đạo thực hiện nhiệm vụ.",
    ),
    "tm_III_1": (
        "Nội dung sinh hoạt công đoàn có lúc còn đơn điệu, chưa thu hút được đông đảo đoàn viên tham gia.",
        "Công tác tuyên truyền trên không gian mạng chưa thường xuyên, hình thức chưa phong phú.",
        "Nguồn kinh phí dành cho hoạt động chăm lo còn hạn chế, mức hỗ trợ đoàn viên khó khăn chưa cao.",
        "Việc phát hiện, bồi dưỡng, nhân rộng các điển hình tiên tiến còn chậm.",
        "Cán bộ công đoàn chủ yếu kiêm nhiệm nên thời gian dành cho hoạt động công đoàn chưa nhiều.",
        "Chất lượng hoạt động của một số tổ công đoàn chưa đồng đều.",
    ),
    "tm_III_3": (
        "Đổi mới nội dung, hình thức sinh hoạt công đoàn, tăng cường các hoạt động gắn với nhu cầu, lợi ích thiết thực của đoàn viên.",
        "Tăng cường sử dụng mạng xã hội và trang thông tin điện tử trong công tác tuyên truyền.",
        "Cử cán bộ công đoàn tham gia đầy đủ các lớp tập huấn nghiệp vụ do cấp trên tổ chức.",
        "Quản lý, sử dụng hiệu quả nguồn tài chính, tiết kiệm chi hành chính để dành nguồn cho hoạt động chăm lo.",
        "Kịp thời phát hiện, biểu dương, nhân rộng các gương điển hình tiên tiến.",
        "Phân công nhiệm vụ cụ thể, nâng cao trách nhiệm của từng ủy viên Ban Chấp hành.",
    ),
    "tm_IV_1": (
        "Phối hợp với thủ trưởng đơn vị tổ chức Hội nghị CBCCVC năm 2024 đúng quy định, thực hiện tốt Luật Thực hiện dân chủ ở cơ sở năm 2022.",
        "Tham gia xây dựng, giám sát thực hiện các chế độ BHXH, BHYT, BHTN và chính sách tiền lương mới đối với CBCCVCLĐ.",
        "Tiếp tục chăm lo đời sống đoàn viên, phấn đấu hỗ trợ xây dựng ít nhất 01 nhà \"Mái ấm Công đoàn\" cho đoàn viên khó khăn về nhà ở.",
        "Vận động CBCCVCLĐ ủng hộ \"Quỹ Hỗ trợ đoàn viên, CNVCLĐ Công đoàn Thanh Hóa\" mỗi người ít nhất một ngày lương.",
        "Kịp thời nắm bắt, giải quyết những bức xúc, kiến nghị chính đáng của đoàn viên, không để xảy ra đơn thư vượt cấp.",
    ),
    "tm_IV_2": (
        "Tuyên truyền, quán triệt Nghị quyết Đại hội XIII Công đoàn Việt Nam và Nghị quyết Đại hội Công đoàn các cấp nhiệm kỳ 2023–2028.",
        "Đẩy mạnh học tập và làm theo tư tưởng, đạo đức, phong cách Hồ Chí Minh gắn với thực hiện nhiệm vụ chuyên môn.",
        "Tuyên truyền Nghị quyết số 58-NQ/TW của Bộ Chính trị về xây dựng và phát triển tỉnh Thanh Hóa đến năm 2030, tầm nhìn đến năm 2045.",
        "Tổ chức các hoạt động văn hóa, thể thao chào mừng các ngày lễ lớn của đất nước và của tỉnh.",
    ),
    "tm_IV_3": (
        "Tổ chức phong trào thi đua lập thành tích chào mừng 95 năm Ngày thành lập Công đoàn Việt Nam (28/7/1929 - 28/7/2024).",
        "Đẩy mạnh phong trào \"Lao động giỏi - Lao động sáng tạo\", phấn đấu có thêm nhiều sáng kiến được công nhận.",
        "Duy trì phong trào \"Giỏi việc nước, đảm việc nhà\" trong nữ CBCCVCLĐ.",
        "Chú trọng phát hiện, bồi dưỡng, nhân rộng các điển hình tiên tiến trong phong trào thi đua.",
    ),
    "tm_IV_4": (
        "Tiếp tục thực hiện Nghị quyết số 02-NQ/TW, kiện toàn tổ chức công đoàn sau sắp xếp bộ máy.",
        "Cử cán bộ công đoàn tham gia đầy đủ các lớp tập huấn, bồi dưỡng nghiệp vụ do cấp trên tổ chức.",
        "Phấn đấu giới thiệu ít nhất 02 đoàn viên ưu tú cho cấp ủy Đảng xem xét kết nạp.",
        "Phấn đấu 100% CBCCVCLĐ đủ điều kiện được kết nạp vào tổ chức Công đoàn.",
    ),
    "tm_IV_5": (
        "Củng cố, kiện toàn Ban Nữ công quần chúng, nâng cao chất lượng hoạt động nữ công.",
        "Thực hiện Chỉ thị 03/CT-TLĐ về đẩy mạnh phong trào thi đua \"Giỏi việc nước, đảm việc nhà\".",
        "Duy trì hoặc thành lập mới Câu lạc bộ nữ công với các nội dung thiết thực về sức khỏe sinh sản, nuôi dạy con.",
        "Tổ chức các hoạt động nhân ngày 8/3 và 20/10 thiết thực, ý nghĩa.",
    ),
    "tm_IV_6": (
        "Thực hiện thu, chi, quản lý tài chính, tài sản công đoàn đúng quy định của Tổng Liên đoàn.",
        "Lập dự toán, quyết toán tài chính công đoàn đúng thời hạn, công khai tài chính định kỳ.",
        "Ủy ban kiểm tra xây dựng kế hoạch kiểm tra, giám sát năm 2024, tập trung kiểm tra việc quản lý, sử dụng tài chính công đoàn.",
        "Phấn đấu thu kinh phí, đoàn phí công đoàn đạt 100% kế hoạch được giao.",
    ),
    "tm_V": (
        "Đề nghị LĐLĐ tỉnh tăng mức hỗ trợ xây dựng Mái ấm Công đoàn cho đoàn viên có hoàn cảnh đặc biệt khó khăn cho phù hợp với giá vật liệu xây dựng hiện nay.",
        "Đề nghị CĐVC tỉnh tiếp tục mở các lớp tập huấn nghiệp vụ công tác công đoàn, nhất là nghiệp vụ tài chính cho cán bộ CĐCS mới được bầu sau Đại hội.",
        "Kiến nghị cấp trên sớm hướng dẫn thống nhất việc thu, nộp đoàn phí công đoàn khi thực hiện cải cách tiền lương từ ngày 01/7/2024.",
        "Đề nghị CĐVC tỉnh đẩy mạnh ứng dụng công nghệ thông tin trong quản lý đoàn viên, sớm triển khai thẻ đoàn viên điện tử.",
        "Đề nghị LĐLĐ tỉnh mở rộng \"Chương trình phúc lợi cho đoàn viên\" với nhiều doanh nghiệp ưu đãi hơn tại các huyện miền núi.",
        "Đề xuất nâng mức chi thăm hỏi đoàn viên ốm đau dài ngày, mắc bệnh hiểm nghèo cho phù hợp với thực tế.",
        "Đề nghị cấp trên giảm bớt các loại báo cáo, thống nhất một mẫu biểu và thời hạn gửi để CĐCS thuận lợi thực hiện.",
    ),
}

III_2_OBJECTIVE = (
    "khối lượng công việc chuyên môn lớn, áp lực cao nên đoàn viên ít thời gian tham gia hoạt động phong trào",
    "nguồn tài chính công đoàn hạn hẹp, chủ yếu từ kinh phí được phân phối",
    "biến động về nhân sự sau sắp xếp tổ chức bộ máy ảnh hưởng đến hoạt động chung",
    "giá cả sinh hoạt tăng cao ảnh hưởng đến đời sống của một bộ phận đoàn viên",
)
III_2_SUBJECTIVE = (
    "cán bộ công đoàn chủ yếu hoạt động kiêm nhiệm, chưa được đào tạo bài bản về nghiệp vụ",
    "sự phối hợp giữa Ban Chấp hành với các tổ công đoàn có lúc chưa chặt chẽ",
    "một bộ phận đoàn viên chưa thật sự quan tâm đến hoạt động công đoàn",
    "Ban Chấp hành chưa thật sự chủ động đổi mới nội dung, phương thức hoạt động",
)


@dataclass(frozen=True)
class DemoWorkspace:
    root: Path
    inbox: Path
    outbox: Path
    roster_path: Path
    roster: list[RosterUnit]
    file_count: int


class DemoError(ValueError):
    """The demo directory holds files the demo did not make: refuse rather than overwrite them."""


# ------------------------------------------------------------------ values
def demo_values(spec: FormSpec, unit: RosterUnit, rng: random.Random) -> dict:
    """Realistic answers for every field of `spec`, sized by the unit's group, passing every rule."""
    return _values(spec, unit, rng, _size(unit, rng))


def _values(spec: FormSpec, unit: RosterUnit, rng: random.Random, size: int) -> dict:
    values = {"ma_cdcs": unit.code, "ten_cdcs": unit.name, "chu_tich": _person(rng), "nguoi_lap": _person(rng),
              "dien_thoai": unit.phone, "email": unit.email,
              "ngay_bao_cao": dt.date(2023, 12, rng.randint(1, 8))}
    values.update(_staff(unit, rng, size))
    values.update(_care(rng, values))
    values.update(_activities(unit, rng, values))
    values.update(_finance(rng, values))
    values.update(_narratives(unit, rng, values))
    # A field the spec gains later stays blank rather than get an invented meaning.
    return {code: values.get(code) for code in spec.by_code}


def _size(unit: RosterUnit, rng: random.Random) -> int:
    name = unit.name
    if "Đại học" in name:
        low, high = 350, 700
    elif "Cao đẳng" in name:
        low, high = 120, 250
    elif "Bệnh viện" in name:
        low, high = 300, 1500
    elif unit.group == GROUP_EDUCATION:
        low, high = 40, 120
    elif unit.group == GROUP_HEALTH:
        low, high = 80, 200
    elif unit.group == GROUP_OFFICE:
        low, high = 20, 80
    else:
        low, high = 30, 150
    return rng.randint(low, high)


def _women_share(group: str, rng: random.Random) -> float:
    low, high = {GROUP_EDUCATION: (0.62, 0.80), GROUP_HEALTH: (0.60, 0.75),
                 GROUP_OFFICE: (0.35, 0.55)}.get(group, (0.40, 0.60))
    return rng.uniform(low, high)


def _staff(unit: RosterUnit, rng: random.Random, size: int) -> dict:
    women = round(size * _women_share(unit.group, rng))
    members = size - rng.randint(0, max(1, size // 30))
    joined = rng.randint(1, max(2, size // 12))
    left = rng.randint(0, max(1, size // 20))
    women_members = max(0, min(women, members) - rng.randint(0, max(1, size // 40)))
    income_low, income_high = {GROUP_HEALTH: (9.0, 14.0), GROUP_EDUCATION: (7.0, 10.5),
                               GROUP_OFFICE: (7.5, 11.0)}.get(unit.group, (6.5, 10.0))
    return {
        "cbccvcld_tong": size, "cbccvcld_nu": women, "cbccvcld_hop_dong": round(size * rng.uniform(0.05, 0.15)),
        "doan_vien_dau_ky": members - joined + left, "doan_vien_tang": joined, "doan_vien_giam": left,
        "doan_vien_tong": members, "doan_vien_nu": women_members,
        "thu_nhap_binh_quan": round(rng.uniform(income_low, income_high) * 100) * 10_000,
    }


def _care(rng: random.Random, v: dict) -> dict:
    visits = max(1, round(v["cbccvcld_tong"] * rng.uniform(0.15, 0.4)))
    houses = rng.choices((0, 1, 2), weights=(60, 32, 8))[0]
    daily_wage = round(v["thu_nhap_binh_quan"] / 22, -3)
    return {
        "hoi_nghi_cbccvc": "Có" if rng.random() < 0.95 else "Không",
        "tham_hoi_luot": visits, "tham_hoi_tien": visits * rng.choice((500_000, 600_000, 800_000, 1_000_000)),
        "ho_tro_tet_nguoi": v["doan_vien_tong"],
        "ho_tro_tet_tien": v["doan_vien_tong"] * rng.choice((300_000, 500_000, 700_000, 1_000_000)),
        "mai_am_nha": houses, "mai_am_tien": houses * rng.choice((30_000_000, 40_000_000, 50_000_000)),
        "ung_ho_quy_tien": int(v["cbccvcld_tong"] * daily_wage),
    }


def _activities(unit: RosterUnit, rng: random.Random, v: dict) -> dict:
    size = v["cbccvcld_tong"]
    sessions = rng.randint(3, 12)
    congress = rng.random() < 0.9
    proposed = rng.randint(0, 6)
    received = rng.choices((0, 1, 2), weights=(70, 22, 8))[0]
    ideas = size * rng.uniform(0.08, 0.2) if unit.group == GROUP_EDUCATION else rng.randint(0, 6)
    return {
        "tuyen_truyen_buoi": sessions, "tuyen_truyen_luot": round(sessions * size * rng.uniform(0.5, 0.9)),
        "van_hoa_the_thao_buoi": rng.randint(1, 6), "cuoc_thi_so": rng.randint(1, 5),
        "sang_kien_so": round(ideas), "khen_thuong_tap_the": rng.randint(1, 6),
        "khen_thuong_ca_nhan": round(size * rng.uniform(0.05, 0.15)) + 1, "can_bo_tap_huan": rng.randint(3, 15),
        "gioi_thieu_dang": proposed, "ket_nap_dang": rng.randint(0, proposed),
        "dai_hoi_da_to_chuc": "Có" if congress else "Không",
        "dai_hoi_ngay": dt.date(2023, 3, 15) + dt.timedelta(days=rng.randint(0, 130)) if congress else None,
        "nu_gioi_viec_nuoc": round(v["cbccvcld_nu"] * rng.uniform(0.3, 0.7)),
        "clb_nu_cong": "Có" if rng.random() < 0.4 else "Không",
        "kiem_tra_cuoc": rng.randint(1, 4), "don_thu_nhan": received, "don_thu_giai_quyet": received,
        "tu_xep_loai": rng.choices(RATINGS, weights=RATING_WEIGHTS)[0],
    }


def _finance(rng: random.Random, v: dict) -> dict:
    """KPCĐ is 2% of the salary fund (about 60% of income); dues 1% of salary, capped at 10% of the base pay."""
    salary = v["thu_nhap_binh_quan"] * 0.6
    fee = round(v["cbccvcld_tong"] * salary * 12 * 0.02 * 0.69, -3)
    dues = round(v["doan_vien_tong"] * min(salary * 0.01, 180_000) * 12 * 0.6, -3)
    other = rng.choice((0, 0, 500_000, 1_000_000, 2_500_000, 5_000_000))
    opening = round(v["cbccvcld_tong"] * rng.uniform(50_000, 400_000), -3)
    income = int(fee + dues + other)
    spending = int(min(round(income * rng.uniform(0.85, 1.05), -3), opening + income))
    return {"tai_chinh_ton_dau_ky": int(opening), "tai_chinh_thu_kpcd": int(fee), "tai_chinh_thu_doan_phi": int(dues),
            "tai_chinh_thu_khac": other, "tai_chinh_tong_thu": income, "tai_chinh_tong_chi": spending,
            "tai_chinh_ton_cuoi_ky": int(opening) + income - spending}


def _person(rng: random.Random) -> str:
    if rng.random() < 0.5:
        return f"{rng.choice(SURNAMES)} {rng.choice(MALE_MIDDLE)} {rng.choice(MALE_GIVEN)}"
    return f"{rng.choice(SURNAMES)} {rng.choice(FEMALE_MIDDLE)} {rng.choice(FEMALE_GIVEN)}"


# ------------------------------------------------------------------ narratives
def _narratives(unit: RosterUnit, rng: random.Random, v: dict) -> dict:
    facts = _facts(unit, v)
    bulleted = rng.random() < 0.4  # some units write "- " lines, others plain paragraphs
    texts = {}
    for code, opening in _openings(facts, v).items():
        extra = SECTION_BANKS.get(code, ()) + GROUP_CONTEXT.get(code, {}).get(unit.group, ())
        chosen = rng.sample(extra, k=min(len(extra), rng.randint(2, 3)))
        sentences = [s.format(**facts) for s in opening + chosen]
        texts[code] = "\n".join(f"- {s}" for s in sentences) if bulleted else " ".join(sentences)
    objective = rng.sample(III_2_OBJECTIVE, 2)
    texts["tm_III_2"] = (f"Về khách quan, {objective[0]}; {objective[1]}. "
                         f"Về chủ quan, {rng.choice(III_2_SUBJECTIVE)}.")
    return texts


def _facts(unit: RosterUnit, v: dict) -> dict:
    facts = {code: vn_number(value) for code, value in v.items() if isinstance(value, int)}
    facts["thu_nhap"] = facts["thu_nhap_binh_quan"]
    facts["ty_le_nu"] = vn_number(100 * v["cbccvcld_nu"] / v["cbccvcld_tong"], 1)
    facts["don_vi"] = unit.name.removeprefix("Công đoàn ").strip()
    facts["lanh_dao"] = _leadership(unit.name)
    facts["ngay_dai_hoi"] = vn_date(v["dai_hoi_ngay"]) if v["dai_hoi_ngay"] else ""
    facts["xep_loai"] = v["tu_xep_loai"].lower()
    return facts


LEADERSHIP = (("Trường", "Ban Giám hiệu"), ("Sở ", "lãnh đạo Sở"), ("Văn phòng", "lãnh đạo Văn phòng"),
              ("Bệnh viện", "Ban Giám đốc"), ("Trung tâm", "Ban Giám đốc"), ("Nhà hát", "Ban Giám đốc"),
              ("Đài", "Ban Giám đốc"))


def _leadership(name: str) -> str:
    """Who the union sits with at the staff conference: a school's board, a hospital's directors…"""
    return next((title for keyword, title in LEADERSHIP if keyword in name), "lãnh đạo đơn vị")


def _openings(f: dict, v: dict) -> dict[str, list[str]]:
    """The figure-bearing sentences each section starts with; the phrase banks add the rest."""
    left = (f"giảm {f['doan_vien_giam']} đoàn viên do nghỉ hưu, chuyển công tác" if v["doan_vien_giam"]
            else "không có đoàn viên giảm")
    meeting = ("Công đoàn phối hợp với {lanh_dao} tổ chức thành công Hội nghị CBCCVC và người lao động năm 2023, "
               "tham gia sửa đổi Quy chế chi tiêu nội bộ và Quy chế dân chủ ở cơ sở." if v["hoi_nghi_cbccvc"] == "Có"
               else "Do thay đổi lãnh đạo đơn vị, Hội nghị CBCCVC năm 2023 chưa được tổ chức, dự kiến tổ chức trong quý I/2024.")
    care = [meeting,
            "Trong năm, Công đoàn thăm hỏi {tham_hoi_luot} lượt đoàn viên, người lao động ốm đau, hiếu hỷ với số tiền "
            "{tham_hoi_tien} đồng; hỗ trợ {ho_tro_tet_nguoi} đoàn viên dịp Tết Nguyên đán Quý Mão với tổng số tiền "
            "{ho_tro_tet_tien} đồng.",
            "Vận động CBCCVCLĐ ủng hộ \"Quỹ Hỗ trợ đoàn viên, CNVCLĐ Công đoàn Thanh Hóa\" được {ung_ho_quy_tien} đồng."]
    if v["mai_am_nha"]:
        care.insert(2, "Phối hợp xây mới, sửa chữa {mai_am_nha} nhà \"Mái ấm Công đoàn\" cho đoàn viên có hoàn cảnh "
                       "khó khăn, số tiền hỗ trợ {mai_am_tien} đồng.")
    admitted = ("trong năm có {ket_nap_dang} đồng chí được kết nạp vào Đảng" if v["ket_nap_dang"]
                else "các đồng chí đang được chi bộ tiếp tục bồi dưỡng, xem xét kết nạp")
    party = (f"Giới thiệu {{gioi_thieu_dang}} đoàn viên ưu tú cho cấp ủy Đảng xem xét; {admitted}." if v["gioi_thieu_dang"]
             else "Trong năm chưa giới thiệu đoàn viên ưu tú cho Đảng xem xét kết nạp do đa số đoàn viên trẻ mới tuyển dụng, "
                  "đang trong thời gian tập sự.")
    congress = (["Thực hiện kế hoạch của CĐVC tỉnh, Công đoàn đã tổ chức thành công Đại hội CĐCS nhiệm kỳ 2023–2028 "
                 "vào ngày {ngay_dai_hoi}, bầu Ban Chấp hành bảo đảm cơ cấu, số lượng và chất lượng."]
                if v["dai_hoi_da_to_chuc"] == "Có"
                else ["Do đơn vị đang trong quá trình sắp xếp theo chủ trương của tỉnh, Công đoàn được CĐVC tỉnh đồng ý "
                      "lùi thời gian tổ chức Đại hội sang quý I năm 2024.",
                      "Ban Chấp hành đã xây dựng kế hoạch, chuẩn bị văn kiện và nhân sự để Đại hội được tổ chức đúng quy định."])
    complaints = ("Trong năm nhận {don_thu_nhan} đơn thư, đã phối hợp giải quyết {don_thu_giai_quyet} đơn đúng quy định."
                  if v["don_thu_nhan"] else "Trong năm không có đơn thư khiếu nại, tố cáo liên quan đến đoàn viên, người lao động.")
    women_club = ("Câu lạc bộ nữ công duy trì sinh hoạt định kỳ, thu hút đông đảo chị em tham gia." if v["clb_nu_cong"] == "Có"
                  else "Ban Nữ công đang chuẩn bị các điều kiện để thành lập Câu lạc bộ nữ công trong năm 2024.")
    return {
        "tm_I": ["Tính đến ngày 30/11/2023, {don_vi} có {cbccvcld_tong} CBCCVCLĐ, trong đó nữ {cbccvcld_nu} người "
                 "(chiếm {ty_le_nu}%), lao động hợp đồng {cbccvcld_hop_dong} người.",
                 "Tổng số đoàn viên là {doan_vien_tong} người ({doan_vien_nu} nữ); trong năm kết nạp mới {doan_vien_tang} "
                 f"đoàn viên, {left}."],
        "tm_II_1": care,
        "tm_II_2": ["Công đoàn tổ chức {tuyen_truyen_buoi} buổi tuyên truyền với {tuyen_truyen_luot} lượt người tham dự về "
                    "chủ trương của Đảng, chính sách, pháp luật của Nhà nước và nghị quyết của tổ chức Công đoàn.",
                    "Đoàn viên tham gia {cuoc_thi_so} cuộc thi do cấp ủy, công đoàn các cấp phát động; Công đoàn tổ chức "
                    "{van_hoa_the_thao_buoi} hoạt động văn hóa, thể thao."],
        "tm_II_3": ["Phong trào thi đua \"Công nhân, viên chức, lao động tiên phong hiện thực hóa khát vọng xây dựng quê "
                    "hương Thanh Hóa văn minh, thịnh vượng\" được triển khai sâu rộng, gắn với nhiệm vụ chuyên môn.",
                    ("Trong năm có {sang_kien_so} sáng kiến, giải pháp được công nhận; " if v["sang_kien_so"]
                     else "Trong năm chưa có sáng kiến được công nhận; ")
                    + "{khen_thuong_tap_the} tập thể và {khen_thuong_ca_nhan} cá nhân được các cấp khen thưởng."],
        "tm_II_4": ["Ban Chấp hành ban hành quy chế làm việc của BCH, UBKT, phân công nhiệm vụ cụ thể cho từng ủy viên "
                    "và kiện toàn các tổ công đoàn.",
                    "Cử {can_bo_tap_huan} lượt cán bộ công đoàn tham gia các lớp tập huấn nghiệp vụ do CĐVC tỉnh tổ chức.",
                    party],
        "tm_II_5": congress,
        "tm_II_6": ["Ban Nữ công tuyên truyền các chế độ, chính sách đối với lao động nữ; tổ chức kỷ niệm Ngày Quốc tế "
                    "Phụ nữ 8/3 và Ngày Phụ nữ Việt Nam 20/10.",
                    "Có {nu_gioi_viec_nuoc} nữ CBCCVCLĐ đạt danh hiệu \"Giỏi việc nước, đảm việc nhà\".", women_club],
        "tm_II_7": ["Tổng thu tài chính công đoàn năm 2023 là {tai_chinh_tong_thu} đồng, trong đó thu kinh phí công đoàn "
                    "{tai_chinh_thu_kpcd} đồng, thu đoàn phí {tai_chinh_thu_doan_phi} đồng; tổng chi {tai_chinh_tong_chi} "
                    "đồng, tồn quỹ cuối năm {tai_chinh_ton_cuoi_ky} đồng."],
        "tm_II_8": ["Ủy ban kiểm tra Công đoàn tiến hành {kiem_tra_cuoc} cuộc kiểm tra, giám sát việc chấp hành Điều lệ "
                    "Công đoàn Việt Nam và quản lý tài chính, tài sản công đoàn.", complaints],
        "tm_II_9": ["Ban Chấp hành xây dựng chương trình công tác năm, duy trì họp định kỳ hằng quý.",
                    "Công đoàn tự đánh giá, xếp loại năm 2023: {xep_loai}."],
        "tm_III_1": ["Bên cạnh kết quả đạt được, hoạt động của Công đoàn còn một số tồn tại, hạn chế."],
        "tm_III_3": ["Trong thời gian tới, Ban Chấp hành tập trung thực hiện một số giải pháp chủ yếu để khắc phục."],
        "tm_IV_1": [], "tm_IV_2": [], "tm_IV_3": [], "tm_IV_4": [], "tm_IV_5": [], "tm_IV_6": [],
        "tm_V": [],
    }


# ------------------------------------------------------------------ roster
def demo_roster(rng: random.Random) -> list[RosterUnit]:
    """About 40 units, coded CD001… in group order, with plausible (fake) contacts."""
    units = []
    for group, names in UNIT_NAMES.items():
        for name in names:
            code = f"CD{len(units) + 1:03d}"
            units.append(RosterUnit(code, f"Công đoàn {name}", group, _email(name), _phone(rng)))
    return units


def _email(name: str) -> str:
    ascii_name = unicodedata.normalize("NFD", name.replace("đ", "d").replace("Đ", "D"))
    ascii_name = "".join(c for c in ascii_name if not unicodedata.combining(c)).lower()
    words = re.findall(r"[a-z0-9]+", ascii_name)
    return f"cdcs.{''.join(words)[:24]}@example.vn"


def _phone(rng: random.Random) -> str:
    digits = f"{rng.randrange(10**7):07d}"
    return f"{rng.choice(MOBILE_PREFIXES)}{digits[0]} {digits[1:4]} {digits[4:]}"


def write_roster(units: list[RosterUnit], path: Path) -> Path:
    table = pd.DataFrame([(u.code, u.name, u.group, u.email, u.phone) for u in units], columns=list(COLUMNS))
    with pd.ExcelWriter(path, engine="openpyxl") as writer:
        table.to_excel(writer, sheet_name="Danh sách CĐCS", index=False)
        sheet = writer.sheets["Danh sách CĐCS"]
        for column, width in zip("ABCDE", (10, 62, 20, 36, 16)):
            sheet.column_dimensions[column].width = width
    return path


# ------------------------------------------------------------------ the inbox
@dataclass(frozen=True)
class _Plan:
    """Which roster units play which part in the demo inbox."""

    clean: list[RosterUnit]
    late: list[RosterUnit]
    resent: RosterUnit
    women_over_total: RosterUnit
    finance_off: RosterUnit
    text_count: RosterUnit
    dotted_count: RosterUnit
    legacy: RosterUnit
    not_template: RosterUnit
    silent: list[RosterUnit]  # send nothing at all


def _plan(roster: list[RosterUnit], rng: random.Random) -> _Plan:
    hospitals = [u for u in roster if "Bệnh viện" in u.name]
    dotted = rng.choice(hospitals)  # "1.250" staff: only a hospital is that large
    others = [u for u in roster if u is not dotted]
    rng.shuffle(others)
    take = iter(others)
    picked = {name: next(take) for name in ("resent", "women_over_total", "finance_off", "text_count", "legacy",
                                            "not_template")}
    late = [next(take) for _ in range(3)]
    silent = [next(take) for _ in range(4)]
    clean = sorted(take, key=lambda u: u.code)
    return _Plan(clean=clean, late=late, silent=silent, dotted_count=dotted, **picked)


def _stamp(day: int, rng: random.Random) -> float:
    """A December 2023 local time in office hours, as the file's modification time."""
    moment = dt.datetime(2023, 12, day, rng.randint(7, 16), rng.randint(0, 59), rng.randint(0, 59))
    return moment.timestamp()


@dataclass(frozen=True)
class _ReportTask:
    """One filled per-unit copy to write: picklable, so worker processes can share the work."""

    spec: FormSpec  # pickled whole: its source path may be relative to a directory since left
    code: str
    name: str
    values: dict
    path: str
    mtime: float


def _write_report(task: _ReportTask) -> str:
    fill_template(build_template(task.spec, UnitCopy(task.code, task.name)), task.values, Path(task.path))
    os.utime(task.path, (task.mtime, task.mtime))
    return task.path


class _Inbox:
    """Writes files into the demo inbox with fixed modification times, and counts them."""

    def __init__(self, spec: FormSpec, inbox: Path) -> None:
        self.spec, self.inbox = spec, inbox
        self.tasks: list[_ReportTask] = []
        self.names: dict[str, str] = {}  # unit code -> the name its (last) report was saved under
        self.raw_count = 0

    @property
    def count(self) -> int:
        return self.raw_count + len(self.tasks)

    def report(self, unit: RosterUnit, values: dict, name: str, mtime: float) -> None:
        """Queue a filled copy; the report date is the day it was saved, as units do."""
        values = {**values, "ngay_bao_cao": dt.datetime.fromtimestamp(mtime).date()}
        self.tasks.append(_ReportTask(self.spec, unit.code, unit.name, values, str(self._path(name)), mtime))
        self.names[unit.code] = name

    def raw(self, name: str, data: bytes, mtime: float) -> None:
        path = self._path(name)
        path.write_bytes(data)
        os.utime(path, (mtime, mtime))
        self.raw_count += 1

    def write(self) -> None:
        """Write the queued copies; openpyxl takes ~0.1 s a file, so they are shared among processes."""
        failures = [r for r in run_isolated(_write_report, self.tasks, timeout=60.0) if isinstance(r, Failure)]
        if failures:
            raise RuntimeError(f"Không tạo được {len(failures)} tệp mẫu của dữ liệu thử: {failures[0].detail}")

    def _path(self, name: str) -> Path:
        path = self.inbox / name
        path.parent.mkdir(parents=True, exist_ok=True)
        return path


def _file_name(spec: FormSpec, unit: RosterUnit, rng: random.Random) -> str:
    """Most units keep the name of their copy; some rename it the way people do."""
    short = unit.name.removeprefix("Công đoàn ")
    return rng.choices((unit_file_name(spec, unit.code), f"Báo cáo CĐ năm 2023 - {short}.xlsx",
                        f"BC tong ket 2023 {unit.code}.xlsx"), weights=(70, 20, 10))[0]


def _fill_inbox(spec: FormSpec, box: _Inbox, plan: _Plan, rng: random.Random) -> None:
    for unit in plan.clean:
        box.report(unit, demo_values(spec, unit, rng), _file_name(spec, unit, rng), _stamp(rng.randint(1, 11), rng))
    for unit in plan.late:
        box.report(unit, demo_values(spec, unit, rng), f"{SUBFOLDER}/{unit_file_name(spec, unit.code)}",
                   _stamp(rng.randint(14, 20), rng))
    _resent(spec, box, plan.resent, rng)
    _wrong_figures(spec, box, plan, rng)
    _accepted_with_warnings(spec, box, plan, rng)
    _strays(spec, box, plan, rng)


def _resent(spec: FormSpec, box: _Inbox, unit: RosterUnit, rng: random.Random) -> None:
    """A first copy whose members do not balance, then the corrected one a few days later."""
    values = demo_values(spec, unit, rng)
    wrong = {**values, "doan_vien_tang": values["doan_vien_tang"] + 2}
    box.report(unit, wrong, unit_file_name(spec, unit.code), _stamp(4, rng))
    box.report(unit, values, f"{SUBFOLDER}/{unit_file_name(spec, unit.code).removesuffix('.xlsx')}-sua-lai.xlsx",
               _stamp(8, rng))


def _wrong_figures(spec: FormSpec, box: _Inbox, plan: _Plan, rng: random.Random) -> None:
    unit = plan.women_over_total
    values = demo_values(spec, unit, rng)
    values["cbccvcld_nu"] = values["cbccvcld_tong"] + rng.randint(5, 15)  # typed the headcount of another line
    box.report(unit, values, _file_name(spec, unit, rng), _stamp(rng.randint(5, 10), rng))

    unit = plan.finance_off
    values = demo_values(spec, unit, rng)
    values["tai_chinh_ton_cuoi_ky"] += 1_000_000  # an arithmetic slip in the fund balance
    box.report(unit, values, _file_name(spec, unit, rng), _stamp(rng.randint(5, 10), rng))

    unit = plan.text_count
    values = demo_values(spec, unit, rng)
    values["tham_hoi_luot"] = "khoảng 50"
    box.report(unit, values, _file_name(spec, unit, rng), _stamp(rng.randint(5, 10), rng))


def _accepted_with_warnings(spec: FormSpec, box: _Inbox, plan: _Plan, rng: random.Random) -> None:
    unit = plan.dotted_count
    values = _values(spec, unit, rng, 1250)
    values["cbccvcld_tong"] = "1.250"  # thousands typed with a dot, as on paper
    box.report(unit, values, unit_file_name(spec, unit.code), _stamp(rng.randint(2, 9), rng))

    unit = plan.legacy
    values = demo_values(spec, unit, rng)
    for field in spec.narrative_fields:
        values[field.code] = encode_legacy(values[field.code], "tcvn3")
    for code in ("chu_tich", "nguoi_lap"):
        values[code] = encode_legacy(values[code], "tcvn3")
    box.report(unit, values, unit_file_name(spec, unit.code), _stamp(rng.randint(2, 9), rng))


def _strays(spec: FormSpec, box: _Inbox, plan: _Plan, rng: random.Random) -> None:
    """What else lands in a shared inbox: a home-made table, a scanned PDF, an Excel lock file."""
    unit = plan.not_template
    box.raw(unit_file_name(spec, unit.code), _home_made_workbook(spec, unit, rng), _stamp(rng.randint(3, 9), rng))
    scanned = plan.clean[rng.randrange(len(plan.clean))]
    box.raw(f"{SUBFOLDER}/bao-cao-scan-{scanned.code}.pdf", _scanned_pdf(scanned), _stamp(rng.randint(3, 11), rng))
    opened = Path(box.names[plan.clean[rng.randrange(len(plan.clean))].code])
    # Excel names its owner file after the open workbook, its first two letters replaced by "~$".
    lock_name = (opened.parent / f"~${opened.name[2:]}").as_posix()
    box.raw(lock_name, _lock_file_bytes("Van thu CDVC"), _stamp(12, rng))


def _home_made_workbook(spec: FormSpec, unit: RosterUnit, rng: random.Random) -> bytes:
    """A unit's own table of a few figures: not the template, so it carries no identity."""
    values = demo_values(spec, unit, rng)
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Sheet1"
    sheet.append(["BÁO CÁO SỐ LIỆU CÔNG ĐOÀN NĂM 2023"])
    sheet.append([f"Đơn vị: {unit.name}"])
    sheet.append([])
    sheet.append(["STT", "Nội dung", "Số liệu"])
    for number, code in enumerate(("cbccvcld_tong", "cbccvcld_nu", "doan_vien_tong", "tai_chinh_tong_thu",
                                   "tai_chinh_tong_chi"), start=1):
        sheet.append([number, spec.by_code[code].label, values[code]])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _scanned_pdf(unit: RosterUnit) -> bytes:
    """A one-page PDF with a correct cross-reference table, as a scanner would send (without the image)."""
    title = unicodedata.normalize("NFD", f"Bao cao {unit.code}").encode("ascii", "ignore").decode()
    stream = f"BT /F1 14 Tf 72 760 Td ({title}) Tj ET".encode()
    objects = [b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
               b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
               b"/Resources << /Font << /F1 5 0 R >> >> >>",
               b"<< /Length %d >>\nstream\n%s\nendstream" % (len(stream), stream),
               b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"]
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


def _lock_file_bytes(user: str) -> bytes:
    """Excel's owner file: the user name, length-prefixed and padded, 165 bytes in all."""
    name = user.encode("ascii")[:53]
    data = bytes([len(name)]) + name.ljust(53, b" ") + b"\x00" + user.encode("utf-16-le")
    return data.ljust(165, b"\x00")[:165]


# ------------------------------------------------------------------ the workspace
def build_demo(spec: FormSpec, directory: Path, seed: int = 2023) -> DemoWorkspace:
    """Create (or refresh) the demo workspace in `directory`; nothing outside it is touched."""
    root = Path(directory)
    inbox, outbox, roster_path = root / "inbox", root / "outbox", root / ROSTER_NAME
    _claim(root, inbox, outbox, roster_path)
    rng = random.Random(seed)
    roster = demo_roster(rng)
    try:
        for folder in (inbox, outbox):
            shutil.rmtree(folder, ignore_errors=not folder.exists())
            folder.mkdir(parents=True)
        write_roster(roster, roster_path)
    except OSError as exc:  # on Windows, a demo file still open in Excel cannot be replaced
        raise DemoError(f"Không làm mới được dữ liệu mẫu trong {root} ({exc}). "
                        "Đóng các tệp của thư mục này đang mở trong Excel rồi chạy lại.") from exc
    box = _Inbox(spec, inbox)
    _fill_inbox(spec, box, _plan(roster, rng), rng)
    box.write()
    return DemoWorkspace(root, inbox, outbox, roster_path, roster, box.count)


def _claim(root: Path, inbox: Path, outbox: Path, roster_path: Path) -> None:
    """Refuse a directory holding someone's real inbox, outbox or roster; mark it as the demo's otherwise."""
    marker = root / MARKER_NAME
    linked = [p for p in (inbox, outbox) if p.is_symlink()]  # removing through a link would reach real data
    if linked:
        raise DemoError(f"{linked[0]} là liên kết tới thư mục khác; lệnh demo không ghi qua liên kết. "
                        "Hãy chọn một thư mục thường cho dữ liệu mẫu.")
    if not marker.exists():
        occupied = [p for p in (inbox, outbox) if p.is_dir() and any(p.iterdir())]
        occupied += [roster_path] if roster_path.exists() else []
        if occupied:
            names = ", ".join(str(p) for p in occupied)
            raise DemoError(f"Thư mục {root} đã có dữ liệu không phải do lệnh demo tạo ({names}). "
                            "Hãy chọn một thư mục khác cho dữ liệu mẫu, ví dụ: consolidate demo thu-nghiem")
    root.mkdir(parents=True, exist_ok=True)
    marker.write_text("Thư mục dữ liệu mẫu do lệnh 'consolidate demo' tạo; có thể xóa.\n", encoding="utf-8")
