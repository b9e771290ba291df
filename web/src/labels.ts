// Japanese names of the API's codes (the API speaks English ids).
export const procedureLabels: Record<string, string> = {
  'nursery.application': '保育所等利用申込',
  'child-allowance.claim': '児童手当 認定請求',
  'pregnancy.notification': '妊娠届',
};

export const statusLabels: Record<string, string> = {
  awaiting_documents: '書類待ち',
  received: '受付',
  in_review: '審査中',
  approved: '承認',
  rejected: '却下',
  returned: '差戻し',
  withdrawn: '取下げ',
};

export const confirmationLabels: Record<string, string> = { evacuated: '避難済み', unconfirmed: '未確認' };
export const tvLabels: Record<string, string> = { on: '視聴中', off: '電源オフ', unknown: '不明' };
