"""People, companies and the audit trail.

A user has one role: candidate (with a CandidateProfile), company member (through
CompanyMembership) or organizer (programme staff; per-event teams live in events).
"""

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .disciplines import DISCIPLINES
from .storage import cv_upload_to, get_private_storage
from .validators import validate_credit_code, validate_cv, validate_phone


class UserManager(BaseUserManager):
    use_in_migrations = True

    def _create(self, email, password, **extra):
        if not email:
            raise ValueError("An e-mail address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email, password=None, **extra):
        extra.setdefault("is_staff", False)
        extra.setdefault("is_superuser", False)
        return self._create(email, password, **extra)

    def create_superuser(self, email, password=None, **extra):
        extra.update(is_staff=True, is_superuser=True, role=User.Role.ORGANIZER)
        return self._create(email, password, **extra)


class User(AbstractBaseUser, PermissionsMixin):
    class Role(models.TextChoices):
        CANDIDATE = "candidate", _("博士/博士后")
        COMPANY = "company", _("用人单位")
        ORGANIZER = "organizer", _("主办方")

    email = models.EmailField(_("电子邮箱"), unique=True)
    name = models.CharField(_("姓名"), max_length=80, blank=True)
    role = models.CharField(_("角色"), max_length=16, choices=Role.choices, default=Role.CANDIDATE)
    language = models.CharField(_("语言"), max_length=10, choices=settings.LANGUAGES, default="zh-hans")
    is_staff = models.BooleanField(_("可登录管理后台"), default=False)
    is_active = models.BooleanField(_("有效"), default=True)
    date_joined = models.DateTimeField(_("注册时间"), default=timezone.now)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    class Meta:
        verbose_name = _("用户")
        verbose_name_plural = _("用户")
        constraints = [models.UniqueConstraint(Lower("email"), name="user_email_ci_unique")]

    def __str__(self):
        return self.name or self.email

    @property
    def display_name(self) -> str:
        return self.name or self.email.split("@")[0]

    @property
    def is_candidate(self) -> bool:
        return self.role == self.Role.CANDIDATE

    @property
    def is_organizer(self) -> bool:
        return self.role == self.Role.ORGANIZER or self.is_superuser

    @property
    def is_company_member(self) -> bool:
        return self.role == self.Role.COMPANY


class Degree(models.TextChoices):
    MASTER = "master", _("硕士")
    PHD_CANDIDATE = "phd_candidate", _("在读博士")
    PHD = "phd", _("博士")


class PostdocStatus(models.TextChoices):
    NONE = "none", _("非博士后")
    IN_STATION = "in_station", _("在站博士后")
    COMPLETED = "completed", _("出站博士后")


class CandidateKind(models.TextChoices):
    """Who an event is open to; derived from degree and postdoc status."""

    PHD_CANDIDATE = "phd_candidate", _("在读博士")
    PHD = "phd", _("博士")
    POSTDOC = "postdoc", _("在站博士后")
    POSTDOC_ALUMNI = "postdoc_alumni", _("出站博士后")
    OTHER = "other", _("其他")


class Province(models.TextChoices):
    """Where a candidate comes from (the province of their university or last workplace)."""

    BEIJING = "beijing", _("北京")
    TIANJIN = "tianjin", _("天津")
    HEBEI = "hebei", _("河北")
    SHANXI = "shanxi", _("山西")
    NEIMENGGU = "neimenggu", _("内蒙古")
    LIAONING = "liaoning", _("辽宁")
    JILIN = "jilin", _("吉林")
    HEILONGJIANG = "heilongjiang", _("黑龙江")
    SHANGHAI = "shanghai", _("上海")
    JIANGSU = "jiangsu", _("江苏")
    ZHEJIANG = "zhejiang", _("浙江")
    ANHUI = "anhui", _("安徽")
    FUJIAN = "fujian", _("福建")
    JIANGXI = "jiangxi", _("江西")
    SHANDONG = "shandong", _("山东")
    HENAN = "henan", _("河南")
    HUBEI = "hubei", _("湖北")
    HUNAN = "hunan", _("湖南")
    GUANGDONG = "guangdong", _("广东")
    GUANGXI = "guangxi", _("广西")
    HAINAN = "hainan", _("海南")
    CHONGQING = "chongqing", _("重庆")
    SICHUAN = "sichuan", _("四川")
    GUIZHOU = "guizhou", _("贵州")
    YUNNAN = "yunnan", _("云南")
    XIZANG = "xizang", _("西藏")
    SHAANXI = "shaanxi", _("陕西")
    GANSU = "gansu", _("甘肃")
    QINGHAI = "qinghai", _("青海")
    NINGXIA = "ningxia", _("宁夏")
    XINJIANG = "xinjiang", _("新疆")
    HONGKONG = "hongkong", _("香港")
    MACAO = "macao", _("澳门")
    TAIWAN = "taiwan", _("台湾")
    ABROAD = "abroad", _("境外")


class UniversityType(models.TextChoices):
    C985 = "985", _("985高校")
    C211 = "211", _("211高校")
    DOUBLE_FIRST = "double_first", _("双一流高校")
    REGULAR = "regular", _("普通本科")
    INSTITUTE = "institute", _("科研院所")
    ABROAD = "abroad", _("境外高校")


class CandidateProfile(models.Model):
    user = models.OneToOneField(User, on_delete=models.CASCADE, related_name="candidate_profile")
    full_name = models.CharField(_("姓名"), max_length=80)
    phone = models.CharField(_("手机号码"), max_length=20, validators=[validate_phone])
    degree = models.CharField(_("最高学历"), max_length=16, choices=Degree.choices, default=Degree.PHD)
    postdoc_status = models.CharField(
        _("博士后状态"), max_length=16, choices=PostdocStatus.choices, default=PostdocStatus.NONE
    )
    institution = models.CharField(_("毕业院校/所在单位"), max_length=120)
    discipline = models.CharField(_("一级学科"), max_length=4, choices=DISCIPLINES)
    research_field = models.CharField(_("研究方向"), max_length=200, blank=True)
    # Origin, for the programme's aggregate "where people came from" (never shown by name).
    province = models.CharField(_("来源省份"), max_length=16, choices=Province.choices, blank=True)
    university_type = models.CharField(_("院校类型"), max_length=16, choices=UniversityType.choices, blank=True)
    graduation_year = models.PositiveSmallIntegerField(_("毕业年份"), null=True, blank=True)
    # Outside MEDIA_ROOT under a random name (accounts/storage.py); the name the person gave it
    # is kept only here, in cv_name.
    cv = models.FileField(
        _("简历（PDF）"), upload_to=cv_upload_to, storage=get_private_storage, blank=True, validators=[validate_cv]
    )
    cv_name = models.CharField(_("简历文件名"), max_length=200, blank=True)
    consent_share = models.BooleanField(
        _("同意向用人单位展示我的资料"),
        default=False,
        help_text=_("勾选后，您报名或到访的用人单位可以查看您的资料和简历；可随时撤回。"),
    )
    consent_changed_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("候选人资料")
        verbose_name_plural = _("候选人资料")

    def __str__(self):
        return self.full_name

    @property
    def kind_label(self) -> str:
        return str(CandidateKind(self.kind).label)

    @property
    def kind(self) -> str:
        if self.postdoc_status == PostdocStatus.IN_STATION:
            return CandidateKind.POSTDOC
        if self.postdoc_status == PostdocStatus.COMPLETED:
            return CandidateKind.POSTDOC_ALUMNI
        if self.degree == Degree.PHD:
            return CandidateKind.PHD
        if self.degree == Degree.PHD_CANDIDATE:
            return CandidateKind.PHD_CANDIDATE
        return CandidateKind.OTHER


class Industry(models.TextChoices):
    # Qingdao's "10+1" innovative industry system, as named in the programme.
    AI = "ai", _("人工智能")
    ELECTRONICS = "electronics", _("电子信息")
    EQUIPMENT = "equipment", _("高端装备")
    BIOMED = "biomed", _("生物医药")
    GREEN_ENERGY = "green_energy", _("绿色能源")
    MARINE = "marine", _("海洋经济")
    NEW_MATERIALS = "new_materials", _("新材料")
    HOME_APPLIANCES = "home_appliances", _("智能家电")
    AUTOMOTIVE = "automotive", _("汽车")
    CHEMICALS = "chemicals", _("绿色化工")
    SERVICES = "services", _("现代服务业")
    EDUCATION = "education", _("高校与科研院所")


class PlatformKind(models.TextChoices):
    NONE = "none", _("无博士后平台")
    MOBILE_STATION = "mobile_station", _("博士后科研流动站")
    WORKSTATION = "workstation", _("博士后科研工作站")
    PROVINCIAL_BASE = "provincial_base", _("省博士后创新实践基地")
    CITY_BASE = "city_base", _("市博士后创新实践基地")


class Company(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", _("待审核")
        VERIFIED = "verified", _("已认证")
        REJECTED = "rejected", _("未通过")

    name = models.CharField(_("单位名称"), max_length=120)
    credit_code = models.CharField(_("统一社会信用代码"), max_length=18, unique=True, validators=[validate_credit_code])
    industry = models.CharField(_("所属产业"), max_length=32, choices=Industry.choices)
    platform_kind = models.CharField(
        _("博士后平台"), max_length=32, choices=PlatformKind.choices, default=PlatformKind.NONE
    )
    description = models.TextField(_("单位简介"), blank=True)
    website = models.URLField(_("网址"), blank=True)
    contact = models.CharField(_("联系人及电话"), max_length=120, blank=True)
    # Always a PNG we re-encoded ourselves (accounts.services.company_logo_set), never the upload.
    logo = models.ImageField(_("单位标志"), upload_to="logos/%Y/%m/", blank=True)
    status = models.CharField(_("审核状态"), max_length=16, choices=Status.choices, default=Status.PENDING)
    verified_at = models.DateTimeField(_("认证时间"), null=True, blank=True)
    verified_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    members = models.ManyToManyField(User, through="CompanyMembership", related_name="companies")

    class Meta:
        verbose_name = _("用人单位")
        verbose_name_plural = _("用人单位")
        ordering = ["name"]

    def __str__(self):
        return self.name

    @property
    def is_verified(self) -> bool:
        return self.status == self.Status.VERIFIED


class CompanyMembership(models.Model):
    class Role(models.TextChoices):
        ADMIN = "admin", _("管理员")
        STAFF = "staff", _("工作人员")

    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="company_memberships")
    role = models.CharField(_("单位角色"), max_length=16, choices=Role.choices, default=Role.STAFF)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("单位成员")
        verbose_name_plural = _("单位成员")
        constraints = [models.UniqueConstraint(fields=["company", "user"], name="membership_unique")]


class CompanyInvitation(models.Model):
    """A company admin asks a colleague (by e-mail) to join; the link in the mail carries `token`."""

    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="invitations")
    email = models.EmailField(_("电子邮箱"))
    token = models.CharField(max_length=64, unique=True)
    invited_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")

    class Meta:
        verbose_name = _("单位成员邀请")
        verbose_name_plural = _("单位成员邀请")
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return f"{self.email} → {self.company}"


class AuditEntry(models.Model):
    """Who did what to which object, and when. Written by services, never by signals."""

    actor = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    # The actor's id, kept when the account is erased (the foreign key then becomes empty): the
    # trail still says "user 42 did this", and nothing more about them.
    actor_ref = models.PositiveBigIntegerField(_("操作人编号"), null=True, blank=True)
    action = models.CharField(_("操作"), max_length=64, db_index=True)
    target_type = models.ForeignKey(ContentType, on_delete=models.SET_NULL, null=True, blank=True)
    target_id = models.CharField(max_length=64, blank=True)
    target_repr = models.CharField(max_length=200, blank=True)
    data = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(_("时间"), default=timezone.now, db_index=True)

    class Meta:
        verbose_name = _("审计记录")
        verbose_name_plural = _("审计记录")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["target_type", "target_id"])]

    def __str__(self):
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.action} {self.target_repr}"
