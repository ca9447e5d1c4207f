"""A small hand-made sentiment lexicon for the languages other than English (English has VADER's).

The training data has under 2,000 tweets per language, too few to learn what
"großartig" or "nul" means from scratch; these words give every language a
strong, shared signal that the model weighs like any other feature. Entries are
lower-case stems: a word matches when it, or it without its last one to three
letters (when at least four remain), is listed — "großartig" matches
"großartige" and "großartigen".
"""

from __future__ import annotations

_POSITIVE = """
bueno buena buenos buenas bien genial excelente increíble increible maravill perfect encant gust fantástic fantastic
feliz alegr mejor bonit hermos guap gracias recomiend amor quier adoro divertid éxito exito brillante
bom boa bons boas ótim otim excelent incrível incrivel maravilh perfeit ador gost lind feliz alegr melhor obrigad
amo sucesso fantástic demais
bon bonne bons bonnes bien génial genial excellent incroyable merveill parfait ador aime aimer heureu joie meilleur
beau belle merci super magnifique formidable bravo chouette sympa réussi reussi
gut gute guten guter super toll großartig grossartig ausgezeichnet hervorragend wunderbar wunderschön perfekt
liebe lieb danke glücklich gluecklich freu beste besser schön schoen genial klasse spitze prima empfehl
buono buona buoni buone bene ottim eccellent incredibil meravigli perfett ador amo felic gioia miglior bell grazie
fantastic stupend bravo brava magnific splendid
جميل رائع ممتاز حب أحب احب سعيد سعادة شكرا أفضل افضل جيد رائعة جميلة ممتازة مبروك الحمدلله
accha achha acha badhiya badiya zabardast shandar shaandaar khush pyaar pyar sundar dhanyavad shukriya
behtareen behtarin waah wah
अच्छा अच्छी बढ़िया शानदार खुश प्यार सुंदर धन्यवाद शुक्रिया
"""

_NEGATIVE = """
malo mala malos malas mal terrible horrible pésim pesim peor odio asco triste enfad enoj fatal basura problema
error fallo estaf robo vergüenza verguenza caro decepcion decepción mierd lento lenta
ruim ruins mau má péssim pessim horrível horrivel terrível terrivel pior ódio odio nojo trist raiva lixo
problema erro falha golpe vergonha caro decepcion merd
mauvais mauvaise mal nul nulle horrible terrible pire déteste deteste haine triste colère colere énervé enerve
problème probleme erreur panne arnaque honte déçu decu déception deception merde
schlecht schlechte schrecklich furchtbar katastroph schlimm mies hass hasse traurig ärger aerger wütend wuetend
problem fehler kaputt betrug schande langsam teuer enttäusch enttaeusch scheiß scheiss nervig
cattiv pessim orribil terribil peggio odio schifo trist rabbia arrabbiat problem errore guasto truffa
vergogna caro delus merda
سيء سيئ سيئة فاشل كره أكره اكره حزين غضب مشكلة خطأ عطل نصب احتيال عار بطيء غالي مقرف زفت
bura buri bekar bakwas ghatiya ghatia gussa dukh pareshan problem dhokha sharam mehenga
बुरा बुरी बेकार बकवास घटिया गुस्सा दुख परेशान धोखा शर्म
"""

POSITIVE = frozenset(_POSITIVE.split())
NEGATIVE = frozenset(_NEGATIVE.split())


def polarity(word: str) -> int:
    """+1, -1, or 0 for a lower-case word."""
    for cut in range(0, 4):
        stem = word[: len(word) - cut] if cut else word
        if cut and len(stem) < 4:
            break
        if stem in POSITIVE:
            return 1
        if stem in NEGATIVE:
            return -1
    return 0
