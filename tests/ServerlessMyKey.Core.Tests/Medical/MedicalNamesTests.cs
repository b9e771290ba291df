using ServerlessMyKey.Core.Medical;
using Xunit;

namespace ServerlessMyKey.Core.Tests.Medical;

/// <summary>The 氏名 match of 保険証利用登録 and the JPKI complement: variants and widths forgiven, other names not.</summary>
public sealed class MedicalNamesTests
{
    [Theory]
    [InlineData("髙橋　一郎", "高橋 一郎")]
    [InlineData("山﨑　花子", "山崎花子")]
    [InlineData("山嵜　花子", "山崎　花子")]
    [InlineData("渡邊　健", "渡辺　健")]
    [InlineData("渡邉　健", "渡辺　健")]
    [InlineData("齋藤　次郎", "斎藤　次郎")]
    [InlineData("齊藤　次郎", "斎藤　次郎")]
    [InlineData("小澤　真", "小沢　真")]
    [InlineData("濱田　恵", "浜田　恵")]
    [InlineData("國分　太郎", "国分　太郎")]
    [InlineData("廣瀬　誠", "広瀬　誠")]
    [InlineData("櫻井　翔子", "桜井　翔子")]
    [InlineData("德川　光", "徳川　光")]
    [InlineData("𠮷田　茂", "吉田　茂")]
    [InlineData("ﾔﾏﾀﾞ ﾊﾅｺ", "ヤマダ　ハナコ")]
    [InlineData("ＹＡＭＡＤＡ　Ｈａｎａｋｏ", "YAMADA Hanako")]
    [InlineData("\uFA19田　太郎", "神田　太郎")] // CJK compatibility ideograph 神 (NFKC)
    [InlineData("髙﨑　廣", "高崎　広")]
    public void Variants_widths_and_spaces_match(string recorded, string certified)
    {
        Assert.True(MedicalNames.AreSame(recorded, certified));
        Assert.True(MedicalNames.AreSame(certified, recorded));
    }

    [Theory]
    [InlineData("高橋　一郎", "高橋　次郎")]
    [InlineData("高橋　一郎", "高田　一郎")]
    [InlineData("斎藤　次郎", "佐藤　次郎")]
    [InlineData("山崎　花子", "山﨑　花江")]
    [InlineData("ヤマダ　ハナコ", "ヤマダ　ハナゴ")]
    [InlineData("ﾔﾏﾀﾞ ﾊﾅｺ", "ヤマタ　ハナコ")]
    [InlineData("YAMADA Hanako", "yamada hanako")]
    [InlineData("渡辺　健", "渡部　健")]
    [InlineData("沢田　真", "澤井　真")]
    public void Different_names_still_do_not_match(string recorded, string certified)
    {
        Assert.False(MedicalNames.AreSame(recorded, certified));
    }

    [Fact]
    public void Missing_or_blank_names_never_match()
    {
        Assert.False(MedicalNames.AreSame(null, "山田　花子"));
        Assert.False(MedicalNames.AreSame("山田　花子", null));
        Assert.False(MedicalNames.AreSame("　", " "));
    }
}
