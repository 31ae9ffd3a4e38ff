import * as z from '../zod.ts';

/**
 * Why the authority (or the access provider's first review) returns an order, with what the customer should do about
 * it, in Chinese and English. The codes are DOMAIN.md's; the texts go into `application.rejected` notifications.
 */

export const RejectionReasonCode = z.enum([
  'MATERIALS_INCOMPLETE',
  'DOCUMENT_UNCLEAR',
  'INFO_MISMATCH',
  'SITE_STILL_REACHABLE',
  'VERIFICATION_EXPIRED',
  'VERIFICATION_FAILED',
  'ORDER_IN_PROGRESS',
  'OTHER',
]);
export type RejectionReasonCode = z.infer<typeof RejectionReasonCode>;

/** A text in Chinese and English. */
export const Bilingual = z.strictObject({ zh: z.string().check(z.minLength(1)), en: z.string().check(z.minLength(1)) });
export type Bilingual = z.infer<typeof Bilingual>;

export const RejectionReason = z.strictObject({
  code: RejectionReasonCode,
  title: Bilingual,
  fixHint: Bilingual,
});
export type RejectionReason = z.infer<typeof RejectionReason>;

export const REJECTION_REASONS: Readonly<Record<RejectionReasonCode, RejectionReason>> = {
  MATERIALS_INCOMPLETE: {
    code: 'MATERIALS_INCOMPLETE',
    title: { zh: '材料不全', en: 'Materials incomplete' },
    fixHint: {
      zh: '按退回意见补齐缺少的材料（如关站/迁移证明、营业执照、法定代表人身份证件、加盖公章的注销申请表），然后重新提交。',
      en: 'Upload the documents the authority lists as missing (e.g. closure or migration proof, business licence, legal representative\'s ID, the signed and sealed application form), then resubmit.',
    },
  },
  DOCUMENT_UNCLEAR: {
    code: 'DOCUMENT_UNCLEAR',
    title: { zh: '材料不清晰或不合规', en: 'Document unclear or not acceptable' },
    fixHint: {
      zh: '重新上传原件的彩色扫描件：完整、清晰、无反光遮挡，证照类不低于120万像素；不要黑白复印件或翻拍屏幕的照片。',
      en: 'Upload a new colour scan of the original: complete, sharp, without glare or cover-ups, at least 1.2 megapixels for licences and IDs; no black-and-white copies or photos of a screen.',
    },
  },
  INFO_MISMATCH: {
    code: 'INFO_MISMATCH',
    title: { zh: '信息与原备案不一致', en: 'Information does not match the filing' },
    fixHint: {
      zh: '在工信部备案查询中核对原备案信息，将主体名称、证件号码、网站名称和域名改为与原备案完全一致后重新提交。',
      en: 'Look the filing up in the MIIT public query and correct the subject name, certificate number, website name and domains to match it exactly, then resubmit.',
    },
  },
  SITE_STILL_REACHABLE: {
    code: 'SITE_STILL_REACHABLE',
    title: { zh: '网站仍可访问', en: 'Website still reachable' },
    fixHint: {
      zh: '关闭网站或停止解析：域名不得再指向中国大陆的服务器，网站应无法访问（或已迁移至新地址），确认后重新提交。',
      en: 'Take the site offline or remove its DNS records so the domain no longer points to a server in mainland China (or completes its migration), check it no longer answers, then resubmit.',
    },
  },
  VERIFICATION_EXPIRED: {
    code: 'VERIFICATION_EXPIRED',
    title: { zh: '短信核验超时', en: 'SMS verification expired' },
    fixHint: {
      zh: '负责人未在24小时内完成12381短信核验。请确认负责人手机可正常接收短信并随时准备回复，然后重新提交。',
      en: 'The responsible person did not enter the 12381 SMS code within 24 hours. Make sure their phone can receive texts and that they are ready to enter the code, then resubmit.',
    },
  },
  VERIFICATION_FAILED: {
    code: 'VERIFICATION_FAILED',
    title: { zh: '短信核验失败', en: 'SMS verification failed' },
    fixHint: {
      zh: '核验码输错次数过多（最多5次）或手机号不是备案负责人的号码。请核对负责人手机号，重新提交后输入12381发送的最新验证码。',
      en: 'The code was entered wrongly too often (5 attempts at most) or the phone is not the filed responsible person\'s. Check the phone number on the filing, resubmit and enter the latest code sent by 12381.',
    },
  },
  ORDER_IN_PROGRESS: {
    code: 'ORDER_IN_PROGRESS',
    title: { zh: '已有进行中的订单', en: 'Another order in progress' },
    fixHint: {
      zh: '该备案已有未完成的订单（变更、注销或接入）。请等待其办结或撤回后再提交本次注销。',
      en: 'The filing already has an open order (change, cancellation or access). Wait until it is finished, or withdraw it, before submitting this cancellation again.',
    },
  },
  OTHER: {
    code: 'OTHER',
    title: { zh: '其他原因', en: 'Other reason' },
    fixHint: {
      zh: '请阅读管局或接入商的退回说明，按要求修改后重新提交；如说明不清楚，请联系接入商客服确认。',
      en: 'Read the authority\'s or provider\'s note, make the changes it asks for and resubmit; if the note is unclear, ask the provider\'s support.',
    },
  },
};

/**
 * The catalogue entry for a rejection code. Unknown codes (an authority's free text, a newer code) fall back to `OTHER`,
 * so a notification always has a title and a hint.
 */
export function rejectionReason(code: string): RejectionReason {
  const parsed = RejectionReasonCode.safeParse(code);
  return REJECTION_REASONS[parsed.success ? parsed.data : 'OTHER'];
}

/**
 * A recorded reason (`{ code, message }`, the message being the authority's own words) with the catalogue's title and
 * fix hint for its code, as the API and the webhooks show it. Codes outside the catalogue get `OTHER`'s texts.
 */
export function describeRejection<R extends { code: string; message: string }>(
  reason: R,
): R & Pick<RejectionReason, 'title' | 'fixHint'> {
  const { title, fixHint } = rejectionReason(reason.code);
  return { ...reason, title, fixHint };
}
