/**
 * Which dotted names without a scheme or port are host names. `index.handler`, `app.js`, `1.2.3`,
 * `com.example.Handler` and `user.id` are dotted too, so a bare name counts as a host only when its
 * last label is a top-level domain services are deployed under, and not one that ends file names,
 * units or field names more often (see NOT_HOSTS).
 */

/** Every two-letter country-code top-level domain (ISO 3166-1 alpha-2, with `uk`, `eu` and `ac`). */
const COUNTRY_CODES = `
  ac ad ae af ag ai al am ao aq ar as at au aw ax az ba bb bd be bf bg bh bi bj bm bn bo br bs bt bw
  by bz ca cc cd cf cg ch ci ck cl cm cn co cr cu cv cw cx cy cz de dj dk dm do dz ec ee eg er es et
  eu fi fj fk fm fo fr ga gd ge gf gg gh gi gl gm gn gp gq gr gs gt gu gw gy hk hm hn hr ht hu id ie
  il im in io iq ir is it je jm jo jp ke kg kh ki km kn kp kr kw ky kz la lb lc li lk lr ls lt lu lv
  ly ma mc md me mg mh mk ml mm mn mo mp mq mr ms mt mu mv mw mx my mz na nc ne nf ng ni nl no np nr
  nu nz om pa pe pf pg ph pk pl pm pn pr ps pt pw py qa re ro rs ru rw sa sb sc sd se sg sh si sk sl
  sm sn so sr ss st sv sx sy sz tc td tf tg th tj tk tl tm tn to tr tt tv tw tz ua ug uk us uy uz va
  vc ve vg vi vn vu wf ws ye yt za zm zw`;

/**
 * Generic top-level domains seen in service addresses (`run.app`, `workers.dev` included), AWS's own
 * (`aws`, `amazon`), and the private suffixes EC2 and VPCs give hosts (`ec2.internal`, `lan`, `corp`).
 * Not `local`: it ends settings module names (`settings.local`) more often than hosts Lambda could resolve.
 */
const GENERIC = `
  com net org edu gov mil int biz mobi asia arpa app dev cloud online site tech xyz aws amazon
  internal lan corp`;

/**
 * Country codes that end names more often than hosts do: file extensions (`main.py`, `run.sh`,
 * `README.md`, `lib.so`, `main.tf`), units (`linger.ms`, `weight.kg`, `dose.mg`), field names
 * (`user.id`, `created.at`, `created.by`, `reply.to`, `phone.no`) and comparison operators (`age.gt`).
 */
const NOT_HOSTS = `
  as cc cl gs md mk ml mm pl pm ps py re rs sh so tf
  ms hr km kg cm mg pt
  id at by to no us am
  gt ge lt ne`;

const TOP_LEVEL_DOMAINS: ReadonlySet<string> = new Set(
  `${COUNTRY_CODES} ${GENERIC}`
    .split(/\s+/)
    .filter((label) => label !== '' && !NOT_HOSTS.split(/\s+/).includes(label)),
);

/**
 * Whether a dotted name without scheme or port names a host: its last label is a top-level domain
 * (see above) or `#{AWS.URLSuffix}`. Other labels may be placeholders (`#{Env}.example.com`).
 *
 * @example isBareHostName('collector.eu-west-1.example.net') // true
 * @example isBareHostName('index.handler') // false
 */
export function isBareHostName(name: string): boolean {
  if (name.endsWith('.#{AWS.URLSuffix}')) return true;
  return TOP_LEVEL_DOMAINS.has(name.slice(name.lastIndexOf('.') + 1).toLowerCase());
}
